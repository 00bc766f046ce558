package auth_test

import (
	"testing"

	"github.com/firststep/firststep/internal/web/auth"
)

func TestLocalPath(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"/staff":                      "/staff",
		"/staff/intakes/3?saved=note": "/staff/intakes/3?saved=note",
		"":                            "",
		"staff":                       "",
		"//evil.example/staff":        "",
		"/\\evil.example":             "",
		"https://evil.example/staff":  "",
		"http:/staff":                 "",
		"javascript:alert(1)":         "",
		"/staff\r\nSet-Cookie: x=1":   "",
		"/staff/\x00":                 "",
		" /staff":                     "",
	}
	for in, want := range cases {
		if got := auth.LocalPath(in); got != want {
			t.Errorf("LocalPath(%q) = %q, want %q", in, got, want)
		}
	}
}
