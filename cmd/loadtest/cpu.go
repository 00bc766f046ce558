package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc/stat on Linux.
const clockTicks = 100

// cpuSample is the machine's busy CPU time and this process's own (with
// its waited-for children), to tell how much of the machine other
// processes used while a phase ran: figures taken on a busy machine are
// not the machine's.
type cpuSample struct {
	at      time.Time
	busy    time.Duration // all CPUs, all processes
	ours    time.Duration
	machine bool // /proc/stat was readable
}

func sampleCPU() cpuSample {
	s := cpuSample{at: time.Now()}
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		f := strings.Fields(line)
		if len(f) >= 9 && f[0] == "cpu" {
			var ticks uint64
			// user nice system idle iowait irq softirq steal: all but idle and iowait.
			for i, v := range f[1:9] {
				if i == 3 || i == 4 {
					continue
				}
				n, _ := strconv.ParseUint(v, 10, 64)
				ticks += n
			}
			s.busy, s.machine = time.Duration(ticks)*time.Second/clockTicks, true
		}
	}
	var self, children syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	s.ours = tv(self.Utime) + tv(self.Stime) + tv(children.Utime) + tv(children.Stime)
	return s
}

func tv(t syscall.Timeval) time.Duration {
	return time.Duration(t.Sec)*time.Second + time.Duration(t.Usec)*time.Microsecond
}

// otherLoad is the share of all CPUs that other processes kept busy
// between a and b, from 0 to 1.
func otherLoad(a, b cpuSample) float64 {
	wall := b.at.Sub(a.at)
	if !a.machine || !b.machine || wall <= 0 {
		return 0
	}
	other := (b.busy - a.busy) - (b.ours - a.ours)
	return min(max(float64(other)/(float64(wall)*float64(runtime.NumCPU())), 0), 1)
}

// phaseLoad records the other processes' load of each phase.
type phaseLoad struct {
	name  string
	other float64
}

func loadNote(l phaseLoad) string {
	return fmt.Sprintf("other processes kept %.0f%% of the machine's CPUs busy during %s", 100*l.other, l.name)
}
