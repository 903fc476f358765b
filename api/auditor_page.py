"""`/auditor/`: the auditor's workbench, static files shipped in the package, served with a
Content-Security-Policy that allows nothing but the app's own origin (no inline script or style,
no frame, no form), so the page that checks the record cannot be made to run another's code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

AUDITOR = Path(__file__).parent / "static" / "auditor"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    # A new release's page and modules are taken at once, never half from a cache.
    "Cache-Control": "no-cache",
}


class SecureStaticFiles(StaticFiles):
    """Static files, each answer (redirects and 404s too) with the security headers."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            response = await super().get_response(path, scope)
        except HTTPException as error:
            # The app's handler answers it as problem+json, like any other path it does not know.
            headers = {**(error.headers or {}), **SECURITY_HEADERS}
            raise HTTPException(error.status_code, error.detail, headers=headers) from None
        response.headers.update(SECURITY_HEADERS)
        return response

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        if str(args[0] if args else kwargs.get("full_path", "")).endswith(".js"):
            response.headers["Content-Type"] = "text/javascript; charset=utf-8"
        return response


def install(app: FastAPI) -> None:
    app.mount("/auditor", SecureStaticFiles(directory=AUDITOR, html=True), name="auditor")

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    def home() -> RedirectResponse:
        """The auditor's workbench; the API's documentation is at /docs."""
        return RedirectResponse("/auditor/")
