"""Routes of the workload contract for django-asgi (async views)."""

from django.urls import path

from . import views, views_async

urlpatterns = [
    path("json", views_async.json_view),
    path("io", views_async.io_view),
    path("service", views_async.service_view),
    path("db", views_async.db_view),
    path("cpu", views_async.cpu_view),
    path("data", views_async.data_view),
    path("data/sized", views_async.data_sized_view),
    path("ml", views_async.ml_view),
    path("ml/sized", views_async.ml_sized_view),
    path("info", views_async.info_view),
    path("stream", views_async.stream_view),
    path("chat", views_async.chat_view),
]

# JSON error bodies instead of Django's HTML pages, like the other stacks (rare: sync is fine here).
handler404 = views.not_found
handler500 = views.server_error
