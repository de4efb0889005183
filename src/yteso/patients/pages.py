"""Review queue page for facility administrators and department analysts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from yteso.core.audit import record
from yteso.core.web.deps import Db, client_address
from yteso.core.web.templating import add_template_package, templates
from yteso.patients import review
from yteso.patients.index_api import Reviewer, actor, ensure_reviewer_scope

add_template_package("yteso.patients")
router = APIRouter(include_in_schema=False)

FIELD_LABELS = {
    "cccd": "Số CCCD",
    "sin": "Mã số BHXH",
    "family": "Họ",
    "middle": "Tên đệm",
    "given": "Tên",
    "birth": "Ngày sinh",
    "sex": "Giới tính",
    "commune": "Xã, phường",
    "phone": "Điện thoại",
}


@router.get("/patients/review")
def review_page(request: Request, db: Db, who: Reviewer) -> Response:
    facility = None if who.is_province_wide else who.facility_code
    items = review.list_reviews(db, "open", facility, limit=50)
    ids = ",".join(str(i.id) for i in items) or None
    record(db, who, "search", "PatientReview", ids, detail="page",
           client_address=client_address(request))  # fmt: skip
    context = {"principal": who, "items": items, "labels": FIELD_LABELS}
    return templates.TemplateResponse(request, "patients/review.html", context)


@router.post("/patients/review/{item_id}/{decision}")
def decide_page(request: Request, db: Db, who: Reviewer, item_id: int, decision: str) -> Response:
    ensure_reviewer_scope(request, db, who, item_id, decision)
    if decision == "accept":
        review.accept(db, item_id, actor(who))
    elif decision == "reject":
        review.reject(db, item_id, actor(who))
    else:
        return Response(status_code=404)
    record(db, who, decision, "PatientReview", str(item_id),
           client_address=client_address(request))  # fmt: skip
    return RedirectResponse("/patients/review", status_code=303)
