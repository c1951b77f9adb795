"""Bench-only middleware: the number of SQL queries of a request, in a response header."""

from django.db import connection

HEADER = "X-Bench-Queries"


class QueryCountMiddleware:
    """Counts the statements the request ran (``connection.execute_wrappers``, so it works
    with DEBUG off) and returns the count as ``X-Bench-Queries``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counting(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counting):
            response = self.get_response(request)
        response[HEADER] = str(count)
        return response
