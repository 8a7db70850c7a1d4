"""Async-native middleware of django-asgi (see settings_asgi.py)."""

from django.utils.decorators import async_only_middleware


@async_only_middleware
def content_length(get_response):
    """Content-Length on every complete response, as CommonMiddleware sets it (streams stay chunked)."""

    async def middleware(request):
        response = await get_response(request)
        if not response.streaming and not response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response

    return middleware
