from django.utils import translation


class UserLanguageMiddleware:
    """A logged-in user reads the site in the language of their profile.

    Placed after LocaleMiddleware (which serves anonymous visitors from the cookie and
    the browser's Accept-Language) and after AuthenticationMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
