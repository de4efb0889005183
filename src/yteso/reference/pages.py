"""ICD-10 lookup page for clinicians and coders."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from yteso.core.web.deps import MaybePrincipal
from yteso.core.web.templating import add_template_package, templates
from yteso.reference import icd10

add_template_package("yteso.reference")
router = APIRouter(include_in_schema=False)


@router.get("/reference/icd10")
def icd10_page(request: Request, principal: MaybePrincipal, q: str = "") -> Response:
    results = icd10.search(q, 50) if q.strip() else []
    context = {"principal": principal, "q": q, "results": results}
    return templates.TemplateResponse(request, "reference/icd10.html", context)
