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
    public void EachEnvironmentDeploysInfrastructureThenTheAppThenRunsTheSmokeTestOnTheDeployedUrls()
    {
        var steps = Workflow.Steps(DeployEnvironment.Jobs["deploy"]);
        var runs = steps.Select(s => Workflow.Scalar(s, "run") ?? string.Empty).ToList();
        int IndexOf(string text) => runs.FindIndex(r => r.Contains(text, StringComparison.Ordinal));

        var deployer = IndexOf("get-access-token");
        var infra = IndexOf("az deployment group create");
        var app = IndexOf("az functionapp deployment source config-zip");
        var smoke = IndexOf("scripts/smoke-test");
        var smokeEnv = smoke >= 0 ? Workflow.Map(steps[smoke], "env") : null;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(deployer, Is.GreaterThanOrEqualTo(0));
            Assert.That(infra, Is.GreaterThan(deployer));
            Assert.That(runs[infra], Does.Contain("deployerPrincipalId=").And.Contain("deployerPrincipalType=ServicePrincipal"),
                "the deployer is granted the tables the smoke test registers its client in");
            Assert.That(app, Is.GreaterThan(infra));
            Assert.That(smoke, Is.GreaterThan(app));
            foreach (var (name, output) in new[] { ("TOKEN_URL", "token-endpoint-url"), ("JWKS_URL", "jwks-url"), ("METADATA_URL", "metadata-url"), ("ISSUER", "issuer"), ("AUDIENCE", "audience"), ("Tables__ServiceUri", "table-service-uri") })
            {
                Assert.That(Workflow.Scalar(smokeEnv, name), Is.EqualTo($"${{{{ steps.infra.outputs.{output} }}}}"), name);
            }
        }
    }

    [Test]
    public void TheSmokeTestGetsAClientCredentialsTokenThroughTokenctlAndValidatesItAgainstTheJwks()
    {
        var script = File.ReadAllText(Path.Combine(RepoPaths.Root, "scripts", "smoke-test"));

        Assert.That(script, Does.Contain("tokenctl client add").And.Contain("--grant client_credentials")
            .And.Contain("grant_type=client_credentials").And.Contain("scripts/verify-token.cs").And.Contain("--jwks \"$JWKS_URL\"")
            .And.Contain("tokenctl client remove"));
    }

    [Test]
    public void TheWaitForRoleAssignmentsIsBoundedWithinTheJobsTimeout()
    {
        var job = DeployEnvironment.Jobs["deploy"];
        var smokeEnv = Workflow.Steps(job).Select(s => Workflow.Map(s, "env")).Single(e => Workflow.Scalar(e, "RBAC_WAIT_ATTEMPTS") is not null);
        var wait = int.Parse(Workflow.Scalar(smokeEnv, "RBAC_WAIT_ATTEMPTS")!, System.Globalization.CultureInfo.InvariantCulture)
                   * int.Parse(Workflow.Scalar(smokeEnv, "RBAC_WAIT_SECONDS")!, System.Globalization.CultureInfo.InvariantCulture);
        var timeout = int.Parse(Workflow.Scalar(job, "timeout-minutes")!, System.Globalization.CultureInfo.InvariantCulture) * 60;

        Assert.That(wait, Is.InRange(60, timeout / 4), "long enough for Azure RBAC to propagate, short against the job's timeout");
    }

    [Test]
    public void EveryJobOnARunnerHasATimeoutAndNoCallerOfAReusableWorkflowHasOne()
    {
        var jobs = Workflow.All().SelectMany(w => w.Jobs.Select(j => (w.FileName, j.Key, j.Value))).ToList();

        Assert.That(jobs, Has.Count.GreaterThanOrEqualTo(4));
        using (Assert.EnterMultipleScope())
        {
            foreach (var (file, name, job) in jobs)
            {
                var timeout = Workflow.Scalar(job, "timeout-minutes");
                if (Workflow.Scalar(job, "uses") is not null)
                {
                    Assert.That(timeout, Is.Null, $"{file}: {name} calls a reusable workflow, which takes no timeout-minutes");
                }
                else
                {
                    Assert.That(int.TryParse(timeout, out var minutes) && minutes is > 0 and <= 120, Is.True, $"{file}: {name} timeout-minutes is '{timeout}'");
                }
            }
        }
    }

    [Test]
    public void WhatIfWritesItsDiffToTheJobSummary()
    {
        var run = RunScripts(Deploy.Jobs["what-if"]);

        Assert.That(run, Does.Contain("az deployment group what-if").And.Contain("> what-if.txt").And.Contain(">> \"$GITHUB_STEP_SUMMARY\"").And.Contain("what-if.txt"));
    }

    // The current major version of every action the workflows use (checked 2026-12): a workflow on an older major
    // runs on a deprecated runtime, and a new action needs a row here.
    private static readonly Dictionary<string, int> CurrentMajors = new(StringComparer.OrdinalIgnoreCase)
    {
        ["actions/checkout"] = 7,
        ["actions/setup-dotnet"] = 6,
        ["actions/upload-artifact"] = 7,
        ["actions/download-artifact"] = 8,
        ["azure/login"] = 3,
    };

    [Test]
    public void EveryActionIsPinnedToItsCurrentMajorVersion()
    {
        var uses = Workflow.All()
            .SelectMany(w => w.Jobs.Values.SelectMany(Workflow.Steps).Select(s => (w.FileName, Uses: Workflow.Scalar(s, "uses"))))
            .Where(u => u.Uses is not null && !u.Uses.StartsWith("./", StringComparison.Ordinal))
            .ToList();

        Assert.That(uses, Is.Not.Empty);
        using (Assert.EnterMultipleScope())
        {
            foreach (var (file, action) in uses)
            {
                var parts = action!.Split('@');
                Assert.That(CurrentMajors, Does.ContainKey(parts[0]), $"{file}: {action} is not a known action");
                Assert.That(parts.Length == 2 && parts[1] == $"v{CurrentMajors.GetValueOrDefault(parts[0])}", Is.True, $"{file}: {action}");
            }
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
