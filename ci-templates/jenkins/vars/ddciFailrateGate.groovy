// ddciFailrateGate(...) — the ddci-failrate-gate quality gate. Writes and publishes a JUnit report
// (junit step), a Markdown and an HTML report (archived; shown on the build
// page with publishHtml: true, which needs the HTML Publisher plugin); exit 1 (threshold exceeded)
// fails the build, or marks it unstable with unstableOnFailure: true; exit 3/4
// (Datadog unreachable or refusing) fail it unless failOpen: true.
// Multibranch pull requests are judged against CHANGE_TARGET by ddci itself.
// Options: maxFailureRate (required), from, to, query, branch, service, env, groupBy, groupLimit,
// minRuns, requireData, trend, interval, repositoryId, failOpen, junit (default 'ddci-failrate-gate.xml'), markdown (default
// 'ddci-failrate-gate.md'), html (default 'ddci-failrate-gate.html'), unstableOnFailure, publishHtml, site, apiKeyCredentialsId, appKeyCredentialsId, extraArgs.
int call(Map args = [:]) {
    String junitFile = args.junit ?: 'ddci-failrate-gate.xml'
    String mdFile = args.markdown ?: 'ddci-failrate-gate.md'
    String htmlFile = args.html ?: 'ddci-failrate-gate.html'
    int rc = ddciRun('ddci-failrate-gate', args + [junit: junitFile, markdown: mdFile, html: htmlFile],
        [maxFailureRate: '--max-failure-rate', from: '--from', to: '--to', query: '--query',
         branch: '--branch', service: '--service', env: '--env', groupBy: '--group-by', groupLimit: '--group-limit',
         minRuns: '--min-runs', interval: '--interval', repositoryId: '--repository-id', junit: '--junit', markdown: '--markdown', html: '--html'],
        [requireData: '--require-data', trend: '--trend', failOpen: '--fail-open'],
        [:], true)
    junit(testResults: junitFile, allowEmptyResults: true)
    archiveArtifacts(artifacts: "${junitFile},${mdFile},${htmlFile}", allowEmptyArchive: true)
    if (ddciRun.ddciBool('ddci-failrate-gate', 'publishHtml', args.publishHtml)) {
        publishHTML(target: [reportDir: '.', reportFiles: htmlFile, reportName: 'ddci failure-rate gate',
                             allowMissing: true, keepAll: true, alwaysLinkToLastBuild: false])
    }
    if (rc == 1) {
        if (ddciRun.ddciBool('ddci-failrate-gate', 'unstableOnFailure', args.unstableOnFailure)) {
            unstable('ddci-failrate-gate: a threshold was exceeded (see ' + mdFile + ')')
        } else {
            error('ddci-failrate-gate: a threshold was exceeded (see ' + mdFile + ')')
        }
    } else if (rc != 0) {
        error("ddci-failrate-gate could not decide (exit status ${rc}); failOpen: true lets the build go on")
    }
    return rc
}
