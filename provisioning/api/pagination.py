from __future__ import annotations

from rest_framework.pagination import PageNumberPagination


class Pages(PageNumberPagination):
    """`?page=N&size=M`: 50 a page unless asked, never more than 200."""

    page_size = 50
    page_size_query_param = "size"
    max_page_size = 200
