package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// openPTY opens a pseudo-terminal pair with the kernel's /dev/ptmx interface.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		m.Close()
		t.Fatalf("unlock pty: %v", e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		m.Close()
		t.Fatalf("pty number: %v", e)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Skipf("open pty slave: %v", err)
	}
	return m, s
}

// On a terminal the answer is indented without a flag; --compact keeps it on one line.
func TestOutputTerminal(t *testing.T) {
	srv, flags := identity(t)
	order := `{"appid":"wxd678efh567hg6787","mchid":"` + srv.MchID + `","description":"tty","out_trade_no":"tty-1",` +
		`"notify_url":"https://127.0.0.1/notify","amount":{"total":7}}`
	wantCode(t, runCLI(t, "", args(flags, "POST", "v3/pay/transactions/native", "-d", order)...), 0)
	onTTY := func(extra ...string) string {
		t.Helper()
		master, slave := openPTY(t)
		defer master.Close()
		cmd := exec.Command(binary, args(flags, append([]string{"GET", "v3/pay/transactions/out-trade-no/tty-1", "-q", "mchid=" + srv.MchID}, extra...)...)...)
		cmd.Env = cleanEnv()
		var errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = slave, &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		slave.Close() // the child has it; EOF (EIO) on master once the child exits
		out := make(chan []byte, 1)
		go func() {
			b, _ := io.ReadAll(master) // ends with EIO when the last slave closes
			out <- b
		}()
		if err := cmd.Wait(); err != nil {
			t.Fatalf("exit: %v\n%s", err, errb.String())
		}
		return strings.ReplaceAll(string(<-out), "\r\n", "\n") // the terminal's ONLCR
	}
	if got := onTTY(); !strings.HasPrefix(got, "{\n  \"") || !strings.Contains(got, "\n  \"trade_state\": \"NOTPAY\"") {
		t.Errorf("on a terminal: %q", got)
	}
	if got := onTTY("--compact"); strings.Count(got, "\n") != 1 || !strings.Contains(got, `"trade_state":"NOTPAY"`) {
		t.Errorf("--compact on a terminal: %q", got)
	}
}
