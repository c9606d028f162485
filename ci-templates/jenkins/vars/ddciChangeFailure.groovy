// ddciChangeFailure(deploymentId: id) or ddciChangeFailure(last: true, service: 'shop', env: 'prod')
// Marks a deployment as a change failure, with its remediation
// (ddci-change-failure). Use it in post { failure { ... } }.
// Options: deploymentId, last, commit, service, env, remediationId,
// remediatedByCurrent, remediationType (rollback|rollforward|auto), commitSha,
// clear, noFail, site, apiKeyCredentialsId, appKeyCredentialsId, extraArgs.
int call(Map args = [:]) {
    int rc = ddciRun('ddci-change-failure', args,
        [deploymentId: '--deployment-id', commit: '--commit', service: '--service', env: '--env',
         remediationId: '--remediation-id', remediationType: '--remediation-type', commitSha: '--commit-sha'],
        [last: '--last', remediatedByCurrent: '--remediated-by-current', clear: '--clear', noFail: '--no-fail'],
        [:], true)
    if (rc != 0) {
        error("ddci-change-failure failed with exit status ${rc}")
    }
    return rc
}
