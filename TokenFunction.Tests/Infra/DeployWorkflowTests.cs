using YamlDotNet.RepresentationModel;

namespace TokenFunction.Tests.Infra;

public class DeployWorkflowTests
{
    private static Workflow Deploy => Workflow.Load("deploy.yml");

    private static Workflow DeployEnvironment => Workflow.Load("deploy-environment.yml");

    private static IEnumerable<(Workflow Workflow, string Job, YamlMappingNode Step)> AzureLoginSteps() =>
        from workflow in Workflow.All()
        from job in workflow.Jobs
        from step in Workflow.Steps(job.Value)
        where Workflow.Scalar(step, "uses")?.StartsWith("azure/login@", StringComparison.OrdinalIgnoreCase) == true
        select (workflow, job.Key, step);

    private static string RunScripts(YamlMappingNode job) =>
        string.Join('\n', Workflow.Steps(job).Select(s => Workflow.Scalar(s, "run")).OfType<string>());

    [Test]
    public void RunsOnPullRequestsAndOnPushesToMain()
    {
        var on = Workflow.Map(Deploy.Root, "on");

        Assert.That(on, Is.Not.Null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Workflow.Map(on, "pull_request"), Is.Not.Null);
            Assert.That(Workflow.Sequence(Workflow.Map(on, "push"), "branches").Select(b => b.ToString()), Does.Contain("main"));
        }
    }

    [Test]
    public void PullRequestsBuildTestAndPreviewTheInfrastructure()
    {
        var jobs = Deploy.Jobs;

        Assert.That(jobs.Keys, Is.SupersetOf(new[] { "build", "what-if" }));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(RunScripts(jobs["build"]), Does.Contain("scripts/test").And.Contain("scripts/bicep-build").And.Contain("dotnet publish"));
            Assert.That(Workflow.Scalar(jobs["what-if"], "if"), Does.Contain("pull_request"));
            Assert.That(RunScripts(jobs["what-if"]), Does.Contain("az deployment group what-if"));
        }
    }

    [Test]
    public void MainDeploysDevThenProdInTheirGitHubEnvironments()
    {
        var jobs = Deploy.Jobs;

        Assert.That(jobs.Keys, Is.SupersetOf(new[] { "deploy-dev", "deploy-prod" }));
        using (Assert.EnterMultipleScope())
        {
            foreach (var (name, environment) in new[] { ("deploy-dev", "dev"), ("deploy-prod", "prod") })
            {
                Assert.That(Workflow.Scalar(jobs[name], "uses"), Is.EqualTo("./.github/workflows/deploy-environment.yml"));
                Assert.That(Workflow.Scalar(Workflow.Map(jobs[name], "with"), "environment"), Is.EqualTo(environment));
                Assert.That(Workflow.Scalar(jobs[name], "if"), Does.Contain("refs/heads/main"));
            }

            Assert.That(Workflow.Scalar(jobs["deploy-prod"], "needs") ?? string.Join(',', Workflow.Sequence(jobs["deploy-prod"], "needs")), Does.Contain("deploy-dev"));
            Assert.That(Workflow.Scalar(Workflow.Map(DeployEnvironment.Jobs["deploy"], "environment"), "name"), Is.EqualTo("${{ inputs.environment }}"));
        }
    }

    [Test]
    public void EachEnvironmentDeploysInfrastructureThenTheAppThenSmokeTestsJwksMetadataAndTheTokenEndpoint()
    {
        var runs = Workflow.Steps(DeployEnvironment.Jobs["deploy"]).Select(s => Workflow.Scalar(s, "run") ?? string.Empty).ToList();
        int IndexOf(string text) => runs.FindIndex(r => r.Contains(text, StringComparison.Ordinal));

        var infra = IndexOf("az deployment group create");
        var app = IndexOf("az functionapp deployment source config-zip");
        var jwks = IndexOf("JWKS_URL");
        var metadata = IndexOf("METADATA_URL");
        var token = IndexOf("TOKEN_URL");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(infra, Is.GreaterThanOrEqualTo(0));
            Assert.That(app, Is.GreaterThan(infra));
            Assert.That(jwks, Is.GreaterThan(app));
            Assert.That(metadata, Is.GreaterThan(app));
            Assert.That(token, Is.GreaterThan(app));
            Assert.That(runs[token], Does.Contain("invalid_client"), "the token endpoint answers an unknown client after reading storage");
        }
    }

    [Test]
    public void EveryJobThatSignsInToAzureMayRequestAnOidcToken()
    {
        var logins = AzureLoginSteps().ToList();

        Assert.That(logins, Is.Not.Empty);
        using (Assert.EnterMultipleScope())
        {
            foreach (var (workflow, job, _) in logins)
            {
                Assert.That(workflow.IdTokenPermission(workflow.Jobs[job]), Is.EqualTo("write"), $"{workflow.FileName}: {job}");
            }

            // A reusable workflow gets no more than its caller grants.
            foreach (var caller in Deploy.Jobs.Values.Where(j => Workflow.Scalar(j, "uses") is not null))
            {
                Assert.That(Deploy.IdTokenPermission(caller), Is.EqualTo("write"));
            }
        }
    }

    [Test]
    public void AzureSignInUsesFederatedCredentialsFromVariablesOnly()
    {
        var logins = AzureLoginSteps().ToList();

        Assert.That(logins, Is.Not.Empty);
        using (Assert.EnterMultipleScope())
        {
            foreach (var (workflow, job, step) in logins)
            {
                var with = Workflow.Map(step, "with");
                var inputs = with?.Children.ToDictionary(p => p.Key.ToString(), p => p.Value.ToString(), StringComparer.Ordinal) ?? [];
                Assert.That(inputs.Keys, Is.EquivalentTo(new[] { "client-id", "tenant-id", "subscription-id" }), $"{workflow.FileName}: {job}");
                foreach (var (input, value) in inputs)
                {
                    Assert.That(value, Does.StartWith("${{ vars."), $"{workflow.FileName}: {job}: {input}");
                }
            }
        }
    }

    // Regular expressions, matched ignoring case: the secrets context, and every way to hand azure/login or the
    // Azure CLI a stored credential.
    [TestCase(@"\bsecrets\.[a-z_]")]
    [TestCase(@"\bsecrets\s*\[")]
    [TestCase("client-secret")]
    [TestCase("clientSecret")]
    [TestCase(@"\bcreds\s*:")]
    [TestCase("AZURE_CREDENTIALS")]
    [TestCase("publish-profile")]
    [TestCase(@"--password\b|\s-p\s")]
    public void NoWorkflowUsesAStoredSecret(string forbidden)
    {
        var workflows = Workflow.All();

        Assert.That(workflows, Has.Count.GreaterThanOrEqualTo(2));
        using (Assert.EnterMultipleScope())
        {
            foreach (var workflow in workflows)
            {
                Assert.That(workflow.Text, Does.Not.Match(forbidden).IgnoreCase, workflow.FileName);
            }
        }
    }

    [TestCase("client-id: ${{ secrets.AZURE_CLIENT_ID }}", @"\bsecrets\.[a-z_]")]
    [TestCase("creds: ${{secrets['AZURE']}}", @"\bsecrets\s*\[")]
    [TestCase("  creds : x", @"\bcreds\s*:")]
    public void SecretCheckRecognisesAStoredSecret(string line, string forbidden) =>
        Assert.That(line, Does.Match(forbidden).IgnoreCase);
}
