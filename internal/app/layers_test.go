package app_test

import (
	"go/build"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The staff, admin and audit services speak SQL and never HTTP; the staff
// pages and guards speak HTTP and never SQL. (internal/app, which wires
// both, is the one package allowed to import Echo and GORM together.)
func TestStaffAndAdminLayers(t *testing.T) {
	t.Parallel()
	const mod = "github.com/firststep/firststep/"
	cases := []struct {
		dir       string
		forbidden []string
	}{
		{"../staff", []string{"github.com/labstack/echo/v4", mod + "internal/web"}},
		{"../admin", []string{"github.com/labstack/echo/v4", mod + "internal/web"}},
		{"../audit", []string{"github.com/labstack/echo/v4", mod + "internal/web"}},
		{"../web/auth", []string{"gorm.io/gorm"}},
		{"../web/staffui", []string{"gorm.io/gorm"}},
	}
	for _, c := range cases {
		pkg, err := build.ImportDir(c.dir, 0)
		if err != nil {
			t.Fatalf("%s: %v", c.dir, err)
		}
		for _, imp := range pkg.Imports {
			for _, f := range c.forbidden {
				if imp == f || strings.HasPrefix(imp, f+"/") {
					t.Errorf("%s imports %s", c.dir, imp)
				}
			}
		}
	}
}

// staff reads and writes only its own tables; whether a clinician exists
// it asks booking (staff.Clinicians).
func TestStaffReadsOnlyItsOwnTables(t *testing.T) {
	t.Parallel()
	own := map[string]bool{"staff_accounts": true, "api_tokens": true, "sessions": true, "staff_drafts": true}
	table := regexp.MustCompile(`(?:Table\(|TableName\(\) string \{ return |(?i:\bfrom|\bjoin|\binto|\bupdate)\s+)"?([a-z_]+)"?`)
	files, err := filepath.Glob("../staff/*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range table.FindAllStringSubmatch(string(src), -1) {
			if name := m[1]; strings.Contains(m[0], `"`) && !own[name] {
				t.Errorf("%s names the table %q", filepath.Base(f), name)
			}
		}
	}
}
