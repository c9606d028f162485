// ddciFlakyGate(...) — the ddci-flaky-gate quality gate. Writes and publishes a JUnit report
// (junit step), a Markdown and an HTML report (archived; shown on the build
// page with publishHtml: true, which needs the HTML Publisher plugin); exit 1 (threshold exceeded)
// fails the build, or marks it unstable with unstableOnFailure: true; exit 3/4
// (Datadog unreachable or refusing) fail it unless failOpen: true.
// Multibranch pull requests are judged against CHANGE_TARGET by ddci itself.
// Options: maxActive, maxFailureRate, maxNew, failOnChanged, maxLostTime, includeQuarantined, base, branch,
// allBranches, service, env, codeowner, query, repositoryId, failOpen, junit (default 'ddci-flaky-gate.xml'), markdown (default
// 'ddci-flaky-gate.md'), html (default 'ddci-flaky-gate.html'), unstableOnFailure, publishHtml, site, apiKeyCredentialsId, appKeyCredentialsId, extraArgs.
int call(Map args = [:]) {
    String junitFile = args.junit ?: 'ddci-flaky-gate.xml'
    String mdFile = args.markdown ?: 'ddci-flaky-gate.md'
    String htmlFile = args.html ?: 'ddci-flaky-gate.html'
    int rc = ddciRun('ddci-flaky-gate', args + [junit: junitFile, markdown: mdFile, html: htmlFile],
        [maxActive: '--max-active', maxFailureRate: '--max-failure-rate', maxNew: '--max-new',
         maxLostTime: '--max-lost-time', base: '--base', branch: '--branch', service: '--service', env: '--env',
         codeowner: '--codeowner', query: '--query', repositoryId: '--repository-id', junit: '--junit', markdown: '--markdown', html: '--html'],
        [failOnChanged: '--fail-on-changed', includeQuarantined: '--include-quarantined', allBranches: '--all-branches', failOpen: '--fail-open'],
        [:], true)
    junit(testResults: junitFile, allowEmptyResults: true)
    archiveArtifacts(artifacts: "${junitFile},${mdFile},${htmlFile}", allowEmptyArchive: true)
    if (ddciRun.ddciBool('ddci-flaky-gate', 'publishHtml', args.publishHtml)) {
        publishHTML(target: [reportDir: '.', reportFiles: htmlFile, reportName: 'ddci flaky-test gate',
                             allowMissing: true, keepAll: true, alwaysLinkToLastBuild: false])
    }
    if (rc == 1) {
        if (ddciRun.ddciBool('ddci-flaky-gate', 'unstableOnFailure', args.unstableOnFailure)) {
            unstable('ddci-flaky-gate: a threshold was exceeded (see ' + mdFile + ')')
        } else {
            error('ddci-flaky-gate: a threshold was exceeded (see ' + mdFile + ')')
        }
    } else if (rc != 0) {
        error("ddci-flaky-gate could not decide (exit status ${rc}); failOpen: true lets the build go on")
    }
    return rc
}
