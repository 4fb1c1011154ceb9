package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// answer renders what a service method returned: its error, or v as JSON with
// status. The handlers that adapt a service end with it.
func answer(c echo.Context, status int, v any, err error) error {
	if err != nil {
		return err
	}
	return c.JSON(status, v)
}

// answerEmpty renders a service's error, or 204 No Content.
func answerEmpty(c echo.Context, err error) error {
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
