/* fake-datadog CI Visibility tests API (being written). */
#include "fd.h"

void fd_tests_list(const struct fd_req *req, struct fd_resp *resp) { (void)req; fd_resp_error(resp, 501, "not implemented yet"); }
void fd_tests_search(const struct fd_req *req, struct fd_resp *resp) { (void)req; fd_resp_error(resp, 501, "not implemented yet"); }
void fd_tests_aggregate(const struct fd_req *req, struct fd_resp *resp) { (void)req; fd_resp_error(resp, 501, "not implemented yet"); }
int fd_tests_load(const cJSON *arr, char *err, size_t errlen) { (void)arr; (void)err; (void)errlen; return 0; }
void fd_tests_generate(int n) { (void)n; }
void fd_tests_state(cJSON *out) { (void)out; }
void fd_tests_free(void) {}
