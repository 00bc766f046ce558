package consult

import "testing"

func TestParseKind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Kind
		ok   bool
	}{
		{"individual", Individual, true},
		{"couple", Couple, true},
		{"", "", false},
		{"Couple", "", false},
		{" couple", "", false},
		{"group", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := ParseKind(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("ParseKind(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
			if Kind(tt.in).Valid() != tt.ok {
				t.Errorf("Kind(%q).Valid() = %v", tt.in, !tt.ok)
			}
		})
	}
	for _, k := range Kinds {
		if !k.Valid() {
			t.Errorf("listed kind %q is not valid", k)
		}
	}
}

func TestParseFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Format
		ok   bool
	}{
		{"video", Video, true},
		{"in_person", InPerson, true},
		{"either", Either, true},
		{"", "", false},
		{"in person", "", false},
		{"Video", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := ParseFormat(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("ParseFormat(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
			if Format(tt.in).Valid() != tt.ok {
				t.Errorf("Format(%q).Valid() = %v", tt.in, !tt.ok)
			}
		})
	}
	for _, f := range Formats {
		if !f.Valid() {
			t.Errorf("listed format %q is not valid", f)
		}
	}
}
