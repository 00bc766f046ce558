package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// status is the memory part of /proc/<pid>/status, in kB.
type status struct {
	rssKB uint64 // VmRSS: resident now
	hwmKB uint64 // VmHWM: the highest resident so far
}

// procStatus reads /proc/<pid>/status; pid "self" is this process.
func procStatus(pid string) (status, error) {
	var st status
	f, err := os.Open("/proc/" + pid + "/status")
	if err != nil {
		return st, fmt.Errorf("read memory: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(val)
		if len(fields) == 0 {
			continue
		}
		n, err := strconv.ParseUint(fields[0], 10, 64)
		if err != nil {
			continue
		}
		switch key {
		case "VmRSS":
			st.rssKB = n
		case "VmHWM":
			st.hwmKB = n
		}
	}
	if err := sc.Err(); err != nil {
		return st, err
	}
	if st.rssKB == 0 {
		return st, fmt.Errorf("no VmRSS in /proc/%s/status", pid)
	}
	return st, nil
}
