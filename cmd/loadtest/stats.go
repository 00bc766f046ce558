package main

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// summary is a latency distribution.
type summary struct {
	N             int
	P50, P90, P99 time.Duration
	Max           time.Duration
	PerSecond     float64 // N over the wall-clock time of the run, when known
}

func summarize(d []time.Duration, elapsed time.Duration) summary {
	s := summary{N: len(d)}
	if len(d) == 0 {
		return s
	}
	sorted := slices.Clone(d)
	slices.Sort(sorted)
	s.P50, s.P90, s.P99 = percentile(sorted, 0.50), percentile(sorted, 0.90), percentile(sorted, 0.99)
	s.Max = sorted[len(sorted)-1]
	if elapsed > 0 {
		s.PerSecond = float64(len(d)) / elapsed.Seconds()
	}
	return s
}

// percentile is the nearest-rank percentile of sorted.
func percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func (s summary) String() string {
	out := fmt.Sprintf("n=%d  p50 %s  p90 %s  p99 %s  max %s", s.N, ms(s.P50), ms(s.P90), ms(s.P99), ms(s.Max))
	if s.PerSecond > 0 {
		out += fmt.Sprintf("  %.0f req/s", s.PerSecond)
	}
	return out
}

// ms shows a duration in milliseconds with two decimals.
func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

func mib(kb uint64) string { return fmt.Sprintf("%.1f MiB", float64(kb)/1024) }

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	sorted := slices.Clone(d)
	slices.Sort(sorted)
	return sorted[(len(sorted)-1)/2]
}

func medianKB(v []uint64) uint64 {
	if len(v) == 0 {
		return 0
	}
	sorted := slices.Clone(v)
	slices.Sort(sorted)
	return sorted[(len(sorted)-1)/2]
}
