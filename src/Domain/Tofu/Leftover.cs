namespace Catalyst.Domain.Tofu;

/// <summary>A cloud object that still carries a deployment's owner label.</summary>
public sealed record Leftover(string Kind, long Id, string Name);
