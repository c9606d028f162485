/* fake-datadog Flaky Test Management API (being written). */
#include "fd.h"

void fd_flaky_search(const struct fd_req *req, struct fd_resp *resp) { (void)req; fd_resp_error(resp, 501, "not implemented yet"); }
void fd_flaky_update(const struct fd_req *req, struct fd_resp *resp) { (void)req; fd_resp_error(resp, 501, "not implemented yet"); }
int fd_flaky_load(const cJSON *arr, char *err, size_t errlen) { (void)arr; (void)err; (void)errlen; return 0; }
void fd_flaky_generate(int n) { (void)n; }
void fd_flaky_state(cJSON *out) { (void)out; }
void fd_flaky_reset(void) {}
void fd_flaky_free(void) {}
