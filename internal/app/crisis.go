package app

import (
	"context"

	"github.com/firststep/firststep/internal/practice"
	"github.com/firststep/firststep/internal/web"
)

// crisisLines are the practice's crisis resources as every page shows
// them. On a database error they are the defaults: crisis resources always
// show.
func (a *App) crisisLines(ctx context.Context) []web.CrisisLine {
	st, err := a.Practice.Get(ctx)
	if err != nil {
		st = practice.Defaults()
	}
	out := make([]web.CrisisLine, 0, len(st.CrisisResources))
	for _, r := range st.CrisisResources {
		out = append(out, web.CrisisLine{Label: r.Label, Phone: r.Phone, Dial: practice.Dial(r.Phone), SMS: r.SMS,
			TextTo: practice.Dial(r.SMS), SMSBody: r.SMSBody, URL: r.URL, Note: r.Note,
			Couple: r.Audience == practice.AudienceCouple, Banner: r.Banner})
	}
	return out
}
