//go:build tools

// Package tools pins Pulumi's YAML language host, built from the pulumi-yaml module.
package tools

import _ "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"
