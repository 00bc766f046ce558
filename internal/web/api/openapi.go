// Package api holds the JSON API's own description: the OpenAPI 3.1
// document of every /api/v1 endpoint and /healthz, embedded into the binary
// and served at GET /api/v1/openapi.json. A test in internal/app keeps the
// document and the route table in step and checks real responses against it.
package api

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// OpenAPIDocument is the OpenAPI 3.1 description of the JSON API.
//
//go:embed openapi.json
var OpenAPIDocument []byte

// OpenAPIMediaType is the media type registered for OpenAPI documents in JSON.
const OpenAPIMediaType = "application/vnd.oai.openapi+json;version=3.1"

// OpenAPI serves the document. It only changes with a new release, so
// clients may cache it for an hour and then revalidate with its ETag.
func OpenAPI() echo.HandlerFunc {
	sum := sha256.Sum256(OpenAPIDocument)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set(echo.HeaderContentType, OpenAPIMediaType)
		h.Set("Cache-Control", "public, max-age=3600")
		h.Set("ETag", etag)
		http.ServeContent(c.Response(), c.Request(), "", time.Time{}, bytes.NewReader(OpenAPIDocument))
		return nil
	}
}
