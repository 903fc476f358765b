"""Reports for reporting jobs: JSON, or CSV streamed with `Accept: text/csv` or `?format=csv`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query, Response
from fastapi.responses import StreamingResponse

from api import reads
from api.deps import AnswerLanguage, MinPosition, ReaderDep, ReadSideDep, SettingsDep
from api.i18n.reports import csv_headers, localized_row, report_title
from api.openapi import READ_RESPONSES
from api.schemas.audit import ReportAnswer, ReportList
from domain.model.errors import NotFoundError
from projections.partnership.reports import REPORTS, as_csv

router = APIRouter(tags=["reports"])


@router.get("/reports", response_model=ReportList, responses=READ_RESPONSES, summary="The reports")
def list_reports(_reader: ReaderDep, lang: AnswerLanguage) -> dict[str, Any]:
    return {
        "reports": [
            {
                "name": r.name,
                "title": report_title(r, lang)[0],
                "description": report_title(r, lang)[1],
                "columns": list(r.columns),
                "href": f"/reports/{r.name}",
            }
            for r in REPORTS.values()
        ]
    }


@router.get(
    "/reports/{name}",
    response_model=ReportAnswer,
    responses={200: {"content": {"text/csv": {}}}, **READ_RESPONSES},
    summary="One report, as JSON or (Accept: text/csv, or ?format=csv) as CSV",
)
def get_report(
    *,
    name: Annotated[str, Path(pattern=r"^[a-z-]{1,64}$")],
    side: ReadSideDep,
    settings: SettingsDep,
    _reader: ReaderDep,
    response: Response,
    lang: AnswerLanguage,
    accept: Annotated[str | None, Header()] = None,
    format_: Annotated[
        Literal["json", "csv"] | None,
        Query(alias="format", description="`csv` answers CSV, as `Accept: text/csv` does."),
    ] = None,
    min_position: MinPosition = None,
) -> Any:
    report = REPORTS.get(name)
    if report is None:
        raise NotFoundError(f"no report named {name!r}; GET /reports lists them")
    position = reads.settle(side, settings, min_position)
    rows = [localized_row(row, lang) for row in report.query(side.store, datetime.now(UTC).date())]
    wants_csv = format_ == "csv" or (
        format_ is None and accept is not None and "text/csv" in accept
    )
    if wants_csv:
        return StreamingResponse(
            as_csv(report, rows, csv_headers(lang)),
            media_type="text/csv; charset=utf-8",
            headers={
                reads.POSITION_HEADER: str(position),
                "Content-Disposition": f'attachment; filename="{name}.csv"',
                "Content-Language": lang,
            },
        )
    response.headers[reads.POSITION_HEADER] = str(position)
    return {
        "name": report.name,
        "title": report_title(report, lang)[0],
        "columns": list(report.columns),
        "rows": rows,
        "position": position,
    }
