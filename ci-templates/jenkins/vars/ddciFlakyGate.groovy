// ddciFlakyGate(...) — the ddci-flaky-gate quality gate. Writes and publishes a JUnit report
// (junit step) and a Markdown report (archived); exit 1 (threshold exceeded)
// fails the build, or marks it unstable with unstableOnFailure: true; exit 3/4
// (Datadog unreachable or refusing) fail it unless failOpen: true.
// Multibranch pull requests are judged against CHANGE_TARGET by ddci itself.
// Options: maxActive, maxFailureRate, maxNew, failOnChanged, maxLostTime, includeQuarantined, base, branch,
// allBranches, service, env, codeowner, query, repositoryId, failOpen, junit (default 'ddci-flaky-gate.xml'), markdown (default
// 'ddci-flaky-gate.md'), unstableOnFailure, site, apiKeyCredentialsId, appKeyCredentialsId, extraArgs.
int call(Map args = [:]) {
    String junitFile = args.junit ?: 'ddci-flaky-gate.xml'
    String mdFile = args.markdown ?: 'ddci-flaky-gate.md'
    int rc = ddciRun('ddci-flaky-gate', args + [junit: junitFile, markdown: mdFile],
        [maxActive: '--max-active', maxFailureRate: '--max-failure-rate', maxNew: '--max-new',
         maxLostTime: '--max-lost-time', base: '--base', branch: '--branch', service: '--service', env: '--env',
         codeowner: '--codeowner', query: '--query', repositoryId: '--repository-id', junit: '--junit', markdown: '--markdown'],
        [failOnChanged: '--fail-on-changed', includeQuarantined: '--include-quarantined', allBranches: '--all-branches', failOpen: '--fail-open'],
        [:], true)
    junit(testResults: junitFile, allowEmptyResults: true)
    archiveArtifacts(artifacts: "${junitFile},${mdFile}", allowEmptyArchive: true)
    if (rc == 1) {
        if (args.unstableOnFailure) {
            unstable('ddci-flaky-gate: a threshold was exceeded (see ' + mdFile + ')')
        } else {
            error('ddci-flaky-gate: a threshold was exceeded (see ' + mdFile + ')')
        }
    } else if (rc != 0) {
        error("ddci-flaky-gate could not decide (exit status ${rc}); failOpen: true lets the build go on")
    }
    return rc
}
