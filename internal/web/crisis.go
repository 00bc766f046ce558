package web

import (
	"context"
	"strings"
)

// CrisisLine is one of the practice's crisis resources as a page shows
// it. Dial and TextTo are the numbers as tel: and sms: links take them.
type CrisisLine struct {
	Label   string
	Phone   string
	Dial    string
	SMS     string
	TextTo  string
	SMSBody string
	URL     string
	Note    string
	Couple  bool // on the couple journey only
	Banner  bool // in the banner too
}

// SameCallAndText: one number takes both calls and texts ("call or text 988").
func (l CrisisLine) SameCallAndText() bool {
	return l.Phone != "" && l.Phone == l.SMS && l.SMSBody == ""
}

// URLText is the web address as a person reads it, without the scheme.
func (l CrisisLine) URLText() string {
	s := strings.TrimPrefix(strings.TrimPrefix(l.URL, "https://"), "http://")
	return strings.TrimSuffix(s, "/")
}

// CrisisLines supplies the practice's crisis resources for the layout.
type CrisisLines func(ctx context.Context) []CrisisLine

// JourneyCrisis are the crisis resources for this page's journey: all
// but the couple ones, and those too on a couple's pages.
func (l *Layout) JourneyCrisis() []CrisisLine {
	var out []CrisisLine
	for _, c := range l.Crisis {
		if !c.Couple || l.Couple {
			out = append(out, c)
		}
	}
	return out
}

// BannerCrisis are the journey's resources shown in the banner.
func (l *Layout) BannerCrisis() []CrisisLine {
	var out []CrisisLine
	for _, c := range l.JourneyCrisis() {
		if c.Banner {
			out = append(out, c)
		}
	}
	return out
}
