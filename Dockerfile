# Roadmap Ledger — API / projection worker image.
#   docker build -t roadmap-ledger .
#   docker run -p 8000:8000 roadmap-ledger        (embedded SQLite in /data)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_INPUT=1

WORKDIR /app
COPY pyproject.toml ./
COPY domain ./domain
COPY api ./api
COPY projections ./projections
RUN pip install . && rm -rf /app/build

# Non-root user; /data holds the embedded SQLite file and the generated secret file.
RUN groupadd --system roadmap \
    && useradd --system --gid roadmap --home-dir /data --shell /usr/sbin/nologin roadmap \
    && mkdir -p /data /keys && chown roadmap:roadmap /data /keys
USER roadmap
WORKDIR /data
ENV ROADMAP_DATABASE_URL=sqlite:////data/roadmap.db
VOLUME ["/data"]

EXPOSE 8000
CMD ["roadmap", "serve", "--host", "0.0.0.0"]
