"""The `livekit-sip` provider plugin: the same kinds, specs, planner and services as the
dynamic resources, served over Pulumi's provider protocol to programs in any language.

The plugin is the executable `pulumi-resource-livekit-sip` (`python -m livekit_sip.plugin`).
It serves `livekit-sip:index:OutboundTrunk`, `livekit-sip:index:InboundTrunk` and
`livekit-sip:index:DispatchRule`, whose schema (`schema.package_schema`) comes from the
field registry, and it runs each call on a thread of its own, as wide as the engine's
`--parallel`.
"""
