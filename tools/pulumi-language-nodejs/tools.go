//go:build tools

// Package tools pins Pulumi's Node.js language host. From v3.69.0 on it lives in
// a Go module of its own that the module proxy does not serve; v3.68.0 is the
// newest release whose sdk/v3 module still carries it.
package tools

import _ "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
