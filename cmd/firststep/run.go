package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"

	"github.com/firststep/firststep/internal/app"
	"github.com/firststep/firststep/internal/config"
	"github.com/firststep/firststep/internal/staff"
	"github.com/firststep/firststep/internal/store"
)

const usage = `usage:
  firststep [serve] [--demo] [flags]   run the web server (the default)
  firststep migrate [flags]            apply database migrations and exit
  firststep user add --email E --role admin|clinician|frontdesk [--clinician ID] [--name N]
                                       create a staff account; the password is read from stdin
  firststep token create --email E [--label L]
                                       print a new API token for that account
Run "firststep serve --help" for the configuration flags.`

// run is the whole program; main only supplies the process's surroundings.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stdout, stderr)
	case "migrate":
		return migrate(ctx, args, getenv, stdout, stderr)
	case "user":
		if len(args) == 0 || args[0] != "add" {
			return fmt.Errorf("unknown user command; want: firststep user add --email E --role R")
		}
		return userAdd(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "token":
		if len(args) == 0 || args[0] != "create" {
			return fmt.Errorf("unknown token command; want: firststep token create --email E")
		}
		return tokenCreate(ctx, args[1:], getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	default:
		return fmt.Errorf("unknown command %q\n%s", cmd, usage)
	}
}

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, _, err := config.Parse("serve", args, getenv, stderr)
	if err != nil {
		return cleanFlagErr(err)
	}
	logger := newLogger(stderr)
	a, err := app.New(ctx, cfg, logger, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	if cfg.Demo {
		if err := a.SeedDemo(ctx, stdout); err != nil {
			return fmt.Errorf("seed demo practice: %w", err)
		}
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	fmt.Fprintf(stdout, "Firststep is running at %s\n", cfg.BaseURL)
	return a.Serve(ctx, ln)
}

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, _, err := config.Parse("migrate", args, getenv, stderr)
	if err != nil {
		return cleanFlagErr(err)
	}
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return err
	}
	defer store.Close(db)
	n, err := store.Migrate(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "applied %d migrations\n", n)
	return nil
}

// openApp opens the database for a one-shot command whose own flags are
// defined by extra, beside the configuration flags.
func openApp(ctx context.Context, name string, args []string, getenv func(string) string, stderr io.Writer, extra func(*flag.FlagSet)) (*app.App, error) {
	cfg, _, err := config.Parse(name, args, getenv, stderr, extra)
	if err != nil {
		return nil, cleanFlagErr(err)
	}
	return app.New(ctx, cfg, newLogger(io.Discard), app.Options{})
}

func userAdd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	var email, role, clinician, name string
	a, err := openApp(ctx, "user add", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the account's email (required)")
		fs.StringVar(&role, "role", "", "admin, clinician or frontdesk (required)")
		fs.StringVar(&clinician, "clinician", "", "for role clinician: the clinician's id")
		fs.StringVar(&name, "name", "", "display name")
	})
	if err != nil {
		return err
	}
	defer a.Close()
	if email == "" || role == "" {
		return errors.New("user add needs --email and --role")
	}
	in := staff.NewAccount{Email: email, Name: name, Role: staff.Role(role)}
	if clinician != "" {
		id, err := strconv.ParseInt(clinician, 10, 64)
		if err != nil {
			return fmt.Errorf("--clinician must be a clinician id (a number), got %q", clinician)
		}
		in.ClinicianID = &id
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read password from stdin: %w", err)
	}
	in.Password = strings.TrimRight(line, "\r\n")
	acc, err := a.Staff.Add(ctx, in)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "created %s account %s (id %d)\n", acc.Role, acc.Email, acc.ID)
	return nil
}

func tokenCreate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var email, label string
	a, err := openApp(ctx, "token create", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the account's email (required)")
		fs.StringVar(&label, "label", "command line", "a note on what the token is for")
	})
	if err != nil {
		return err
	}
	defer a.Close()
	if email == "" {
		return errors.New("token create needs --email")
	}
	tok, err := a.Staff.CreateToken(ctx, email, label)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintln(stdout, tok)
	return nil
}

func cleanFlagErr(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}
