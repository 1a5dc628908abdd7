//go:build tools

// Package tools pins the Pulumi CLI so `go build` can produce it from the
// module proxy; `go install pkg@version` refuses pkg/v3 because of its
// replace directives.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
