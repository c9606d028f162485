# ddci as a container image: the executables, their runtime libraries and
# the CA certificates on a slim Debian, run as a non-root user.
#
#   docker build --build-arg VERSION="$(make -s version)" -t ddci .   (buildah bud the same)
#   docker run --rm -e DD_API_KEY -v "$PWD:/work" ddci deploy --service shop --env prod
#
# GitLab `image:`, GitHub `docker://` and Jenkins docker agents run `ddci <name> ...`
# (the dispatcher is the ENTRYPOINT) or any ddci-* executable on PATH.
# The build stage makes the Debian package (`make deb`); the runtime stage
# installs it with apt-get, so the libraries come from its Depends: exactly
# what the executables link, nothing else.  BASE must be the same Debian
# release in both stages (the package's Depends are that release's).
ARG BASE=debian:bookworm-slim

FROM ${BASE} AS build
# The version the executables report: `make -s version` of the checkout
# (the build context has no .git, so without it they say VERSION's release).
ARG VERSION=
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      gcc libc6-dev make pkg-config libcurl4-openssl-dev libcjson-dev libgit2-dev \
      ca-certificates dpkg-dev scdoc \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make deb ${VERSION:+VERSION="$VERSION"} && cp build/deb/ddci_*.deb /ddci.deb

FROM ${BASE}
ARG VERSION=unknown
ARG SOURCE=https://github.com/ddci/ddci
LABEL org.opencontainers.image.title="ddci" \
      org.opencontainers.image.description="Datadog for CI pipelines: DORA events and quality gates, in small C executables" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="${SOURCE}"
COPY --from=build /ddci.deb /tmp/ddci.deb
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends /tmp/ddci.deb ca-certificates \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /tmp/ddci.deb \
 && useradd --uid 10001 --user-group --create-home --home-dir /home/ddci --shell /usr/sbin/nologin ddci
USER ddci
WORKDIR /work
ENTRYPOINT ["ddci"]
CMD ["--help"]
