using Microsoft.Extensions.Logging;

namespace Catalyst.Domain.Auth;

/// <summary>
/// The signer this process has, if any. <c>CATALYST_HANDOVER_KEY_PATH</c> unset turns it off; a key that cannot be
/// loaded also turns it off with a warning, as the original did (E.1: init failure is a warning and the mint
/// endpoints answer 503), and <see cref="Problem"/> says why so the 503 can too.
/// </summary>
public sealed class SignerSource
{
    SignerSource(HandoverSigner? signer, string? problem)
    {
        Signer = signer;
        Problem = problem;
    }

    public HandoverSigner? Signer { get; }
    public string? Problem { get; }

    public static SignerSource Off(string problem) => new(null, problem);

    public static SignerSource Of(HandoverSigner signer) => new(signer, null);

    public static SignerSource Load(AuthSettings settings, TimeProvider time, ILogger log)
    {
        if (settings.HandoverKeyPath is not { } keyPath)
            return Off("CATALYST_HANDOVER_KEY_PATH is not set");
        try
        {
            var (key, generated) = SignerKeyFile.LoadOrGenerate(keyPath, settings.HandoverPublicJwkPath!);
            if (generated)
                log.LogInformation("Generated a handover signing key at {Path} (public JWK at {PublicPath})", keyPath,
                    settings.HandoverPublicJwkPath);
            return Of(new HandoverSigner(key, settings.Issuer, time));
        }
        catch (Exception e) when (e is InvalidKeyException or IOException or UnauthorizedAccessException)
        {
            log.LogWarning("Handover signer is off: CATALYST_HANDOVER_KEY_PATH {Path}: {Problem}", keyPath, e.Message);
            return Off($"CATALYST_HANDOVER_KEY_PATH {keyPath}: {e.Message}");
        }
    }
}
