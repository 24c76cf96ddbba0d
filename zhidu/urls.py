from django.contrib import admin
from django.urls import include, path

from .api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("org/", include("zhidu.org.urls")),
    path("policies/", include("zhidu.policies.urls")),
    path("customers/", include("zhidu.customers.urls")),
    path("groups/", include("zhidu.groups.urls")),
    path("compliance/", include("zhidu.compliance.urls")),
    path("sales/", include("zhidu.sales.urls")),
    path("performance/", include("zhidu.performance.urls")),
    path("discipline/", include("zhidu.discipline.urls")),
    path("work/", include("zhidu.work.urls")),
    path("wecom/", include("zhidu.wecom.urls")),
    path("", include("zhidu.core.urls")),  # /audit/audit/, /notifications/
    path("", include("zhidu.web.urls")),
]
