"""Routes of the workload contract; no trailing slashes, as in the other stacks."""

from django.urls import path

from . import views

urlpatterns = [
    path("json", views.json_view),
    path("io", views.io_view),
    path("service", views.service_view),
    path("db", views.db_view),
    path("cpu", views.cpu_view),
    path("data", views.data_view),
    path("data/sized", views.data_sized_view),
    path("ml", views.ml_view),
    path("ml/sized", views.ml_sized_view),
    path("info", views.info_view),
    path("stream", views.stream_view),
    path("chat", views.chat_view),
]

# JSON error bodies instead of Django's HTML pages, like the other stacks.
handler404 = views.not_found
handler500 = views.server_error
