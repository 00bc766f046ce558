// Package consult says what a consultation is: who it is for (Kind) and how
// the client would like to meet (Format). It is the one definition the
// intake form, the slot listing, booking, the emails and the staff pages
// share, so a value that one accepts the others understand. It imports
// nothing of Firststep's.
package consult

// Kind is who a consultation is for. The values are stored and appear in
// URLs and the JSON API.
type Kind string

const (
	Individual Kind = "individual"
	Couple     Kind = "couple"
)

// Kinds lists every kind, in the order forms offer them.
var Kinds = []Kind{Individual, Couple}

// ParseKind returns the kind spelled exactly s; ok is false for anything
// else, the empty string included.
func ParseKind(s string) (k Kind, ok bool) {
	switch k := Kind(s); k {
	case Individual, Couple:
		return k, true
	}
	return "", false
}

// Valid reports whether k is one of the kinds.
func (k Kind) Valid() bool {
	_, ok := ParseKind(string(k))
	return ok
}

// Format is how a client would like to meet for the consultation (the
// intake's session_format). The values are stored.
type Format string

const (
	Video    Format = "video"
	InPerson Format = "in_person"
	Either   Format = "either"
)

// Formats lists every format, in the order forms offer them.
var Formats = []Format{Video, InPerson, Either}

// ParseFormat returns the format spelled exactly s; ok is false for
// anything else. The empty string (the question not answered) is no
// format: callers that allow it check for "" themselves, and Place reads
// it as Either.
func ParseFormat(s string) (f Format, ok bool) {
	switch f := Format(s); f {
	case Video, InPerson, Either:
		return f, true
	}
	return "", false
}

// Valid reports whether f is one of the formats.
func (f Format) Valid() bool {
	_, ok := ParseFormat(string(f))
	return ok
}
