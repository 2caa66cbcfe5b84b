"""Every API error as JSON with a stable `code` and a readable `detail`; field errors
also under `errors`, each with its own code and the message the web form shows."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

NOT_SAVED = _("Nothing was saved: correct the fields named in “errors” and send it again.")


class ApiError(exceptions.APIException):
    """An error with its own code and status, raised by the API's views."""

    def __init__(self, detail, *, code, status_code=status.HTTP_400_BAD_REQUEST, **extra):
        super().__init__(detail=detail, code=code)
        self.status_code = status_code
        self.extra = extra


def field_errors(errors: dict) -> dict:
    """Django ValidationErrors by field ({field: [ValidationError]}) as JSON."""
    return {
        field: [{"code": error.code or "invalid", "message": _message(error)} for error in items]
        for field, items in errors.items()
    }


def _message(error) -> str:
    message = error.message
    return str(message % error.params if error.params else message)


def invalid(errors: dict) -> ApiError:
    return ApiError(NOT_SAVED, code="invalid", errors=field_errors(errors))


def _drf_field_errors(detail) -> dict:
    if isinstance(detail, dict):
        return {field: _drf_field_errors(value) for field, value in detail.items()}
    if isinstance(detail, list):
        if all(isinstance(item, exceptions.ErrorDetail) for item in detail):
            return [{"code": item.code, "message": str(item)} for item in detail]
        return [_drf_field_errors(item) for item in detail]
    return [{"code": detail.code, "message": str(detail)}]


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        # The policy's refusal (access.MissionAccess.require) keeps its message.
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = {
            "code": "invalid",
            "detail": str(NOT_SAVED),
            "errors": _drf_field_errors(exc.detail),
        }
    else:
        codes = exc.get_codes()
        body = {
            "code": codes if isinstance(codes, str) else "error",
            "detail": str(exc.detail),
            **getattr(exc, "extra", {}),
        }
    response.data = body
    return response
