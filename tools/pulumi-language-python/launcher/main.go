// Command pulumi-language-python is the language host the CLI starts: it reads the
// project's runtime options and runs the real host with them as flags.
//
// The real host is from sdk/v3 v3.79.0, the newest release the Go module proxy
// serves. Hosts of that age take `virtualenv` as a command-line flag, while
// today's CLI sends runtime options over RPC only, so the option would be lost
// and the program would run on whatever `python3` is on PATH. This launcher
// restores what a CLI and host of one release do: `runtime.options.virtualenv`
// in Pulumi.yaml picks the interpreter.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
)

func main() {
	self, err := os.Executable()
	if err != nil {
		fail("cannot find its own executable: %v", err)
	}
	if resolved, err := filepath.EvalSymlinks(self); err == nil {
		self = resolved
	}
	host := filepath.Join(filepath.Dir(filepath.Dir(self)), "libexec", "pulumi-language-python")

	args := []string{host}
	if venv, err := virtualenv(); err != nil {
		fail("%v", err)
	} else if venv != "" {
		args = append(args, "-virtualenv="+venv)
	}
	args = append(args, os.Args[1:]...)
	if err := syscall.Exec(host, args, os.Environ()); err != nil {
		fail("cannot run %s: %v (run `make tools`)", host, err)
	}
}

// virtualenv is the absolute path of the project's `runtime.options.virtualenv`,
// or "" when the project sets none. The CLI starts the host in the project directory.
func virtualenv() (string, error) {
	cwd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	path, err := workspace.DetectProjectPathFrom(cwd)
	if err != nil || path == "" {
		return "", nil // no project here: leave the choice to the host
	}
	project, err := workspace.LoadProject(path)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	value, ok := project.Runtime.Options()["virtualenv"].(string)
	if !ok || value == "" {
		return "", nil
	}
	if !filepath.IsAbs(value) {
		value = filepath.Join(filepath.Dir(path), value)
	}
	return value, nil
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "pulumi-language-python: "+format+"\n", args...)
	os.Exit(1)
}
