package staff_test

import (
	"testing"

	"github.com/firststep/firststep/internal/staff"
)

func ptr(n int64) *int64 { return &n }

func TestCanSeeIntake(t *testing.T) {
	t.Parallel()
	admin := staff.Account{ID: 1, Role: staff.Admin, Active: true}
	desk := staff.Account{ID: 2, Role: staff.Frontdesk, Active: true}
	clin := staff.Account{ID: 3, Role: staff.Clinician, ClinicianID: ptr(10), Active: true}
	cases := []struct {
		name     string
		acc      staff.Account
		assigned *int64
		booked   []int64
		want     bool
	}{
		{"admin, unassigned", admin, nil, nil, true},
		{"admin, someone else's", admin, ptr(11), []int64{11}, true},
		{"front desk, unassigned", desk, nil, nil, true},
		{"front desk, assigned", desk, ptr(10), nil, true},
		{"clinician, assigned to them", clin, ptr(10), nil, true},
		{"clinician, booked with them", clin, nil, []int64{10}, true},
		{"clinician, assigned elsewhere but booked with them", clin, ptr(11), []int64{11, 10}, true},
		{"clinician, unassigned", clin, nil, nil, false},
		{"clinician, another clinician's", clin, ptr(11), nil, false},
		{"clinician, booked with another", clin, nil, []int64{11}, false},
		{"clinician without a clinician record", staff.Account{Role: staff.Clinician, Active: true}, ptr(10), []int64{10}, false},
		{"deactivated admin", staff.Account{Role: staff.Admin}, nil, nil, false},
		{"deactivated clinician, assigned", staff.Account{Role: staff.Clinician, ClinicianID: ptr(10)}, ptr(10), nil, false},
		{"no role", staff.Account{Role: "visitor", Active: true}, nil, nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := staff.CanSeeIntake(c.acc, c.assigned, c.booked); got != c.want {
				t.Errorf("CanSeeIntake = %v, want %v", got, c.want)
			}
		})
	}
}

func TestPermissionMatrix(t *testing.T) {
	t.Parallel()
	frontdesk := map[staff.Permission]bool{staff.ViewAllIntakes: true, staff.ViewOwnIntakes: true, staff.EditIntake: true,
		staff.AssignIntake: true, staff.ManageBookings: true, staff.ViewOwnBookings: true}
	clinician := map[staff.Permission]bool{staff.ViewOwnIntakes: true, staff.EditIntake: true, staff.ViewOwnBookings: true,
		staff.ManageOwnAvailability: true}
	if len(staff.Permissions()) < 14 {
		t.Fatalf("only %d permissions", len(staff.Permissions()))
	}
	for _, p := range staff.Permissions() {
		if !staff.Admin.Allows(p) {
			t.Errorf("admin lacks %s", p)
		}
		if got := staff.Frontdesk.Allows(p); got != frontdesk[p] {
			t.Errorf("front desk %s = %v", p, got)
		}
		if got := staff.Clinician.Allows(p); got != clinician[p] {
			t.Errorf("clinician %s = %v", p, got)
		}
		if staff.Role("visitor").Allows(p) {
			t.Errorf("unknown role has %s", p)
		}
		if (staff.Account{Role: staff.Admin}).Can(p) {
			t.Errorf("deactivated admin can %s", p)
		}
	}
	if staff.Admin.Allows("no_such_permission") {
		t.Error("an unknown permission is allowed")
	}
}
