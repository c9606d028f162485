/* fake-datadog Case Management API (being written). */
#include "fd.h"

void fd_cases_aggregate(const struct fd_req *req, struct fd_resp *resp) { (void)req; fd_resp_error(resp, 501, "not implemented yet"); }
int fd_cases_load(const cJSON *arr, char *err, size_t errlen) { (void)arr; (void)err; (void)errlen; return 0; }
void fd_cases_generate(int n) { (void)n; }
void fd_cases_state(cJSON *out) { (void)out; }
void fd_cases_free(void) {}
