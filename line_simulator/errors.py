"""Errors answered as LINE answers them: {"message": ..., "details": [...]} with LINE's wording."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

_ERROR_MESSAGES = {
    400: "The request body has 1 error(s)",
    401: "Authentication failed. Confirm that the access token in the authorization header is valid.",
    403: "The channel is not allowed to use this API.",
    404: "Not found",
    429: "The API rate limit has been exceeded. Try again later.",
    500: "An internal server error occurred.",
    502: "Bad gateway",
    503: "Service unavailable",
}


# LINE's 429 when the channel has sent its monthly allowance of messages (a burst's 429 says the
# rate limit was exceeded instead).
MONTHLY_LIMIT_MESSAGE = "You have reached your monthly limit."


class LineError(Exception):
    """Answered as LINE answers errors: {"message": ..., "details": [...]}."""

    def __init__(self, status: int, message: str | None = None, details: list[dict] | None = None,
                 headers: dict[str, str] | None = None, body_extra: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message or _ERROR_MESSAGES.get(status, "Error")
        self.details = details
        self.headers = headers or {}
        self.body_extra = body_extra or {}

    def response(self, request_id: str) -> JSONResponse:
        body: dict[str, Any] = {"message": self.message, **self.body_extra}
        if self.details:
            body["details"] = self.details
        return JSONResponse(body, status_code=self.status, headers={"x-line-request-id": request_id, **self.headers})
