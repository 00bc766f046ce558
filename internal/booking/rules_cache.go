package booking

import (
	"sync"

	"github.com/firststep/firststep/internal/schedule"
)

// rulesCache keeps each clinician's parsed availability beside the stored
// document it was parsed from. When a listing reads the documents again
// (scheduleCache: after any change to the schedule, a booking included),
// only one that differs in any byte is parsed again. What it saves is the
// JSON decoding and zone loading of unchanged rules.
type rulesCache struct {
	mu sync.RWMutex
	m  map[int64]cachedRules
}

type cachedRules struct {
	doc   string
	rules schedule.Availability // never modified once parsed
}

// parse returns the rules of doc, clinician id's stored document.
func (c *rulesCache) parse(id int64, doc string) (schedule.Availability, error) {
	c.mu.RLock()
	e, ok := c.m[id]
	c.mu.RUnlock()
	if ok && e.doc == doc {
		return e.rules, nil
	}
	a, err := parseRules(doc)
	if err != nil {
		return schedule.Availability{}, err
	}
	c.mu.Lock()
	if c.m == nil {
		c.m = map[int64]cachedRules{}
	}
	c.m[id] = cachedRules{doc: doc, rules: a}
	c.mu.Unlock()
	return a, nil
}
