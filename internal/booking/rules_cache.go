package booking

import "sync"

// rulesCache keeps each clinician's parsed availability beside the stored
// document it was parsed from. A listing still reads every document (one
// small query), and a document that differs in any byte is parsed again:
// a change made through any instance shows in the next listing, with no
// version to keep and nothing stale. What it saves is the JSON decoding and
// zone loading of unchanged rules, the larger part of a listing's cost.
type rulesCache struct {
	mu sync.RWMutex
	m  map[int64]cachedRules
}

type cachedRules struct {
	doc   string
	rules Availability // never modified once parsed
}

// parse returns the rules of doc, clinician id's stored document.
func (c *rulesCache) parse(id int64, doc string) (Availability, error) {
	c.mu.RLock()
	e, ok := c.m[id]
	c.mu.RUnlock()
	if ok && e.doc == doc {
		return e.rules, nil
	}
	a, err := parseRules(doc)
	if err != nil {
		return Availability{}, err
	}
	c.mu.Lock()
	if c.m == nil {
		c.m = map[int64]cachedRules{}
	}
	c.m[id] = cachedRules{doc: doc, rules: a}
	c.mu.Unlock()
	return a, nil
}
