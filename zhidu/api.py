"""The REST API: one NinjaAPI mounting each app's Router under /api/."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import NinjaAPI

from zhidu.compliance.api import router as compliance_router
from zhidu.compliance.reply_api import router as reply_router
from zhidu.core.errors import DomainError, NotFound
from zhidu.customers.api import router as customers_router
from zhidu.customers.transfer_api import router as customer_transfers_router
from zhidu.discipline.api import router as discipline_router
from zhidu.groups.api import router as groups_router
from zhidu.groups.convention_api import router as group_conventions_router
from zhidu.groups.moderation_api import router as moderation_router
from zhidu.org.api import router as org_router
from zhidu.org.auth import TokenAuth, api_auth
from zhidu.performance.api import router as performance_router
from zhidu.policies.api import router as policies_router
from zhidu.sales.api import router as sales_router
from zhidu.wecom.api import router as wecom_router
from zhidu.work.api import router as work_router


def docs_login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """/api/docs and /api/openapi.json: anonymous callers only when `API_DOCS_PUBLIC` (not in production).

    A logged-in member (session) or a bearer token may read them; others go to the login page.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.API_DOCS_PUBLIC:
            member = getattr(request, "member", None)
            if not (member is not None and member.is_active) and TokenAuth()(request) is None:
                return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


api = NinjaAPI(
    title="zhidu API",
    version="1",
    auth=api_auth,
    urls_namespace="api",
    docs_url="/docs",
    docs_decorator=docs_login_required,
)

_STATUS = {"forbidden": 403, "conflict": 409, "not_found": 404}


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(
        request, {"detail": exc.message, "code": exc.code, "field": exc.field}, status=_STATUS.get(exc.code, 400)
    )


@api.exception_handler(NotFound)
def not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    return api.create_response(request, {"detail": gettext("Not found.")}, status=404)


api.add_router("/org/", org_router)
api.add_router("/policies/", policies_router)
api.add_router("/customers/transfers/", customer_transfers_router)
api.add_router("/customers/", customers_router)
api.add_router("/groups/conventions/", group_conventions_router)
api.add_router("/groups/", groups_router)
api.add_router("/moderation/", moderation_router)
api.add_router("/compliance/", compliance_router)
api.add_router("/compliance/", reply_router)
api.add_router("/sales/", sales_router)
api.add_router("/performance/", performance_router)
api.add_router("/discipline/", discipline_router)
api.add_router("work", work_router)
api.add_router("/wecom/", wecom_router)
