// Command pulumi-language-python is the language host the CLI starts: it reads the
// project's runtime options, runs the real host with them as flags, and serves in
// front of it the one call that host predates: running a policy pack.
//
// The real host is from sdk/v3 v3.79.0, the newest release the Go module proxy
// serves. Hosts of that age take `virtualenv` as a command-line flag, while
// today's CLI sends runtime options over RPC only, so the option would be lost
// and the program would run on whatever `python3` is on PATH. This launcher
// restores what a CLI and host of one release do: `runtime.options.virtualenv`
// in Pulumi.yaml picks the interpreter.
//
// Today's CLI also runs a Python policy pack through the language host's
// `RunPlugin`, naming the pack in a `ProgramInfo` that v3.79.0 does not know (it
// would run an empty program path on the project's virtualenv). So the launcher
// is a gRPC proxy: every call goes through to the real host unchanged, except
// `RunPlugin`, which it answers itself as today's host does: the pack's
// `__main__.py` runs on the interpreter of PulumiPolicy.yaml's `virtualenv`.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

const runPlugin = "/pulumirpc.LanguageRuntime/RunPlugin"

// As large as the CLI allows: programs with many resources send big messages.
const maxMessage = 1024 * 1024 * 400

func main() {
	self, err := os.Executable()
	if err != nil {
		fail("cannot find its own executable: %v", err)
	}
	if resolved, err := filepath.EvalSymlinks(self); err == nil {
		self = resolved
	}
	host := filepath.Join(filepath.Dir(filepath.Dir(self)), "libexec", "pulumi-language-python")

	var args []string
	if venv, err := virtualenv(); err != nil {
		fail("%v", err)
	} else if venv != "" {
		args = append(args, "-virtualenv="+venv)
	}
	args = append(args, os.Args[1:]...)

	child := exec.Command(host, args...)
	child.Stderr = os.Stderr
	// The host goes when the launcher goes, however the CLI ends it.
	child.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := child.StdoutPipe()
	if err != nil {
		fail("%v", err)
	}
	if err := child.Start(); err != nil {
		fail("cannot run %s: %v (run `make tools`)", host, err)
	}
	lines := bufio.NewReader(out)
	first, err := lines.ReadString('\n')
	port, perr := strconv.Atoi(strings.TrimSpace(first))
	if err != nil || perr != nil {
		_ = child.Wait()
		fail("%s did not print its port (got %q)", host, first)
	}
	go func() { _, _ = io.Copy(os.Stdout, lines) }()

	upstream, err := grpc.Dial(fmt.Sprintf("127.0.0.1:%d", port),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxMessage), grpc.MaxCallSendMsgSize(maxMessage)))
	if err != nil {
		fail("cannot reach %s: %v", host, err)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("cannot listen on loopback: %v", err)
	}
	server := grpc.NewServer(
		grpc.ForceServerCodec(rawCodec{}),
		grpc.MaxRecvMsgSize(maxMessage), grpc.MaxSendMsgSize(maxMessage),
		grpc.UnknownServiceHandler(func(_ any, stream grpc.ServerStream) error {
			method, _ := grpc.MethodFromServerStream(stream)
			if method == runPlugin {
				return servePlugin(stream)
			}
			return forward(upstream, method, stream)
		}))
	fmt.Printf("%d\n", listener.Addr().(*net.TCPAddr).Port)

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		sig := <-signals
		_ = child.Process.Signal(sig)
		server.Stop()
	}()
	go func() {
		_ = child.Wait()
		server.Stop()
	}()
	if err := server.Serve(listener); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
		fail("%v", err)
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

// rawCodec passes messages through as bytes: the proxy needs to read none but RunPlugin's.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) {
	if b, ok := v.(*[]byte); ok {
		return *b, nil
	}
	if m, ok := v.(proto.Message); ok {
		return proto.Marshal(m)
	}
	return nil, fmt.Errorf("unexpected message type %T", v)
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	b, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("unexpected message type %T", v)
	}
	*b = append([]byte(nil), data...)
	return nil
}

func (rawCodec) Name() string { return "proto" }

// forward relays one call, of any shape, to the real host and its answers back.
func forward(upstream *grpc.ClientConn, method string, in grpc.ServerStream) error {
	ctx, cancel := context.WithCancel(in.Context())
	defer cancel()
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		ctx = metadata.NewOutgoingContext(ctx, md.Copy())
	}
	out, err := upstream.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true, ClientStreams: true},
		method, grpc.ForceCodec(rawCodec{}))
	if err != nil {
		return err
	}
	sent := make(chan error, 1)
	go func() {
		for {
			var msg []byte
			if err := in.RecvMsg(&msg); err != nil {
				if errors.Is(err, io.EOF) {
					sent <- out.CloseSend()
				} else {
					sent <- err
				}
				return
			}
			if err := out.SendMsg(&msg); err != nil {
				sent <- err
				return
			}
		}
	}()
	if header, err := out.Header(); err == nil {
		_ = in.SendHeader(header)
	}
	for {
		var msg []byte
		if err := out.RecvMsg(&msg); err != nil {
			in.SetTrailer(out.Trailer())
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if err := in.SendMsg(&msg); err != nil {
			return err
		}
	}
}

// pluginRequest is what servePlugin reads of today's RunPluginRequest
// (pulumi/language.proto: pwd 1, args 3, env 4, info 5; in ProgramInfo
// program_directory 2, entry_point 3, options 4).
type pluginRequest struct {
	pwd, programDir, entryPoint string
	args, env                   []string
	options                     map[string]any
}

func parsePluginRequest(data []byte) (pluginRequest, error) {
	var req pluginRequest
	err := fields(data, func(num protowire.Number, value []byte) error {
		switch num {
		case 1:
			req.pwd = string(value)
		case 3:
			req.args = append(req.args, string(value))
		case 4:
			req.env = append(req.env, string(value))
		case 5:
			return fields(value, func(num protowire.Number, value []byte) error {
				switch num {
				case 2:
					req.programDir = string(value)
				case 3:
					req.entryPoint = string(value)
				case 4:
					var options structpb.Struct
					if err := proto.Unmarshal(value, &options); err != nil {
						return err
					}
					req.options = options.AsMap()
				}
				return nil
			})
		}
		return nil
	})
	return req, err
}

// fields calls each for every length-delimited field of a message; it skips the others.
func fields(data []byte, each func(protowire.Number, []byte) error) error {
	for len(data) > 0 {
		num, typ, n := protowire.ConsumeTag(data)
		if n < 0 {
			return protowire.ParseError(n)
		}
		data = data[n:]
		if typ != protowire.BytesType {
			n = protowire.ConsumeFieldValue(num, typ, data)
			if n < 0 {
				return protowire.ParseError(n)
			}
			data = data[n:]
			continue
		}
		value, n := protowire.ConsumeBytes(data)
		if n < 0 {
			return protowire.ParseError(n)
		}
		data = data[n:]
		if err := each(num, value); err != nil {
			return err
		}
	}
	return nil
}

// servePlugin runs a policy pack: `python -u <pack directory>` on the interpreter of
// the pack's `virtualenv` option (relative to the pack), streaming its output back.
func servePlugin(stream grpc.ServerStream) error {
	var raw []byte
	if err := stream.RecvMsg(&raw); err != nil {
		return err
	}
	req, err := parsePluginRequest(raw)
	if err != nil {
		return status.Errorf(codes.InvalidArgument, "reading RunPlugin request: %v", err)
	}
	if req.programDir == "" {
		return status.Error(codes.InvalidArgument, "RunPlugin names no program directory")
	}
	program := req.programDir
	if req.entryPoint != "" && req.entryPoint != "." {
		program = filepath.Join(req.programDir, req.entryPoint)
	}
	env := req.env
	if len(env) == 0 {
		env = os.Environ()
	}
	python := os.Getenv("PULUMI_PYTHON_CMD")
	if python == "" {
		python = "python3"
	}
	if venv, _ := req.options["virtualenv"].(string); venv != "" {
		if !filepath.IsAbs(venv) {
			venv = filepath.Join(req.programDir, venv)
		}
		python = filepath.Join(venv, "bin", "python")
		if _, err := os.Stat(python); err != nil {
			return status.Errorf(codes.FailedPrecondition,
				"the virtualenv option in %s is %s, which holds no bin/python: create it "+
					"(python3 -m venv %s && %s/bin/pip install -r %s)",
				filepath.Join(req.programDir, "PulumiPolicy.yaml"), venv, venv, venv,
				filepath.Join(req.programDir, "requirements.txt"))
		}
		env = activate(env, venv)
	}

	cmd := exec.Command(python, append([]string{"-u", program}, req.args...)...)
	cmd.Dir = req.pwd
	cmd.Env = env
	// Two goroutines copy stdout and stderr; a stream takes one SendMsg at a time.
	lock := &sync.Mutex{}
	cmd.Stdout = &streamWriter{stream: stream, lock: lock}
	cmd.Stderr = &streamWriter{stream: stream, lock: lock, stderr: true}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return status.Errorf(codes.Internal, "cannot run %s: %v", python, err)
	}
	go func() {
		<-stream.Context().Done() // the CLI is done with the pack
		_ = cmd.Process.Kill()
	}()
	code := int32(0)
	if err := cmd.Wait(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return status.Errorf(codes.Internal, "running %s: %v", program, err)
		}
		code = int32(exit.ExitCode())
	}
	return stream.SendMsg(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: code}})
}

// activate is env with the virtualenv's bin first on PATH, as `activate` does.
func activate(env []string, venv string) []string {
	out := make([]string, 0, len(env)+2)
	path := ""
	for _, kv := range env {
		name, value, _ := strings.Cut(kv, "=")
		switch name {
		case "PATH":
			path = value
		case "PYTHONHOME", "VIRTUAL_ENV":
		default:
			out = append(out, kv)
		}
	}
	bin := filepath.Join(venv, "bin")
	if path != "" {
		bin += string(os.PathListSeparator) + path
	}
	return append(out, "VIRTUAL_ENV="+venv, "PATH="+bin)
}

// streamWriter sends a plugin's output as RunPluginResponse messages.
type streamWriter struct {
	stream grpc.ServerStream
	lock   *sync.Mutex
	stderr bool
}

func (w *streamWriter) Write(p []byte) (int, error) {
	data := append([]byte(nil), p...)
	msg := &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: data}}
	if w.stderr {
		msg = &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: data}}
	}
	w.lock.Lock()
	defer w.lock.Unlock()
	if err := w.stream.SendMsg(msg); err != nil {
		return 0, err
	}
	return len(p), nil
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "pulumi-language-python: "+format+"\n", args...)
	os.Exit(1)
}
