package booking

import (
	"strings"

	"github.com/firststep/firststep/internal/consult"
	"github.com/firststep/firststep/internal/practice"
)

// Place is where a consultation happens: an address to come to, a video
// link, or — when the client is happy with either — both.
type Place struct {
	Address   string // in person: the clinician's address, else the practice's
	VideoLink string // video: the clinician's link, else the practice's default
}

// Location is the one rule for where a consultation happens; the manage
// page, every email, the invitation's LOCATION and the clinician's feed all
// use it. It follows what the client asked for: in person gives the
// address, video gives the video link, either (or no answer) gives both.
// An empty format (not answered) reads as either.
// A client who asked for in person is never sent only a video link.
func Location(format consult.Format, s practice.Settings, c Clinician) Place {
	address := firstOf(c.Address, s.Address)
	video := firstOf(c.VideoLink, s.VideoLink)
	switch format {
	case consult.InPerson:
		return Place{Address: address}
	case consult.Video:
		return Place{VideoLink: video}
	default:
		return Place{Address: address, VideoLink: video}
	}
}

func firstOf(values ...string) string {
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// Both reports whether the place offers the client a choice.
func (p Place) Both() bool { return p.Address != "" && p.VideoLink != "" }

// Text is the place on one line, for an invitation's LOCATION and the feed:
// the address or the link alone, or both, labelled.
func (p Place) Text() string {
	if p.Both() {
		return "In person: " + p.Address + " / Video: " + p.VideoLink
	}
	return p.Address + p.VideoLink
}
