package app

import (
	"context"
	"fmt"
	"io"

	"github.com/firststep/firststep/internal/secret"
	"github.com/firststep/firststep/internal/staff"
)

// SeedDemo fills an empty database with a demo practice so a newcomer sees
// the whole journey at once. It prints the admin's password once. A database
// that already has staff accounts is left alone.
func (a *App) SeedDemo(ctx context.Context, out io.Writer) error {
	n, err := a.Staff.Count(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		fmt.Fprintln(out, "demo: the database already has accounts; nothing seeded")
		return nil
	}
	password, _ := secret.New()
	password = password[:20]
	acc, err := a.Staff.Add(ctx, staff.NewAccount{Email: "admin@demo.firststep.test", Name: "Demo Admin", Role: staff.Admin, Password: password})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "demo: admin account %s, password %s (shown only now)\n", acc.Email, password)
	return nil
}
