// ddciFailrateGate(...) — the ddci-failrate-gate quality gate. Writes and publishes a JUnit report
// (junit step) and a Markdown report (archived); exit 1 (threshold exceeded)
// fails the build, or marks it unstable with unstableOnFailure: true; exit 3/4
// (Datadog unreachable or refusing) fail it unless failOpen: true.
// Multibranch pull requests are judged against CHANGE_TARGET by ddci itself.
// Options: maxFailureRate (required), from, to, query, branch, service, env, groupBy, groupLimit,
// minRuns, requireData, trend, interval, repositoryId, failOpen, junit (default 'ddci-failrate-gate.xml'), markdown (default
// 'ddci-failrate-gate.md'), unstableOnFailure, site, apiKeyCredentialsId, appKeyCredentialsId, extraArgs.
int call(Map args = [:]) {
    String junitFile = args.junit ?: 'ddci-failrate-gate.xml'
    String mdFile = args.markdown ?: 'ddci-failrate-gate.md'
    int rc = ddciRun('ddci-failrate-gate', args + [junit: junitFile, markdown: mdFile],
        [maxFailureRate: '--max-failure-rate', from: '--from', to: '--to', query: '--query',
         branch: '--branch', service: '--service', env: '--env', groupBy: '--group-by', groupLimit: '--group-limit',
         minRuns: '--min-runs', interval: '--interval', repositoryId: '--repository-id', junit: '--junit', markdown: '--markdown'],
        [requireData: '--require-data', trend: '--trend', failOpen: '--fail-open'],
        [:], true)
    junit(testResults: junitFile, allowEmptyResults: true)
    archiveArtifacts(artifacts: "${junitFile},${mdFile}", allowEmptyArchive: true)
    if (rc == 1) {
        if (args.unstableOnFailure) {
            unstable('ddci-failrate-gate: a threshold was exceeded (see ' + mdFile + ')')
        } else {
            error('ddci-failrate-gate: a threshold was exceeded (see ' + mdFile + ')')
        }
    } else if (rc != 0) {
        error("ddci-failrate-gate could not decide (exit status ${rc}); failOpen: true lets the build go on")
    }
    return rc
}
