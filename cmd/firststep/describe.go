package main

import (
	"errors"
	"sort"
	"strings"

	"github.com/firststep/firststep/internal/apperr"
)

// describe turns a service error into one line for the terminal, with every
// field message.
func describe(err error) error {
	ae := apperr.As(err)
	if ae == nil {
		return err
	}
	msg := ae.Message
	if len(ae.Fields) > 0 {
		var parts []string
		for k, v := range ae.Fields {
			parts = append(parts, k+": "+v)
		}
		sort.Strings(parts)
		msg = strings.Join(parts, "; ")
	}
	return errors.New(msg)
}
