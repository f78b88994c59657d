<?xml version="1.0" encoding="UTF-8"?>
<!-- The site's RSS and Atom feeds as a page, for a reader who opens one in a browser: what a feed
     is, the address to give a feed reader, and the newest items. Feed readers never see this. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/"
                exclude-result-prefixes="atom content">
<xsl:output method="html" encoding="UTF-8" indent="yes" doctype-system="about:legacy-compat"/>

<xsl:template match="/">
  <xsl:choose>
    <xsl:when test="rss/channel">
      <xsl:call-template name="page">
        <xsl:with-param name="kind">RSS</xsl:with-param>
        <xsl:with-param name="title" select="rss/channel/title"/>
        <xsl:with-param name="description" select="rss/channel/description"/>
        <xsl:with-param name="language" select="rss/channel/language"/>
        <xsl:with-param name="home" select="rss/channel/link"/>
        <xsl:with-param name="self" select="rss/channel/atom:link[@rel='self']/@href"/>
      </xsl:call-template>
    </xsl:when>
    <xsl:otherwise>
      <xsl:call-template name="page">
        <xsl:with-param name="kind">Atom</xsl:with-param>
        <xsl:with-param name="title" select="atom:feed/atom:title"/>
        <xsl:with-param name="description" select="atom:feed/atom:subtitle"/>
        <xsl:with-param name="language" select="atom:feed/@xml:lang"/>
        <xsl:with-param name="home" select="atom:feed/atom:link[@rel='alternate']/@href"/>
        <xsl:with-param name="self" select="atom:feed/atom:link[@rel='self']/@href"/>
      </xsl:call-template>
    </xsl:otherwise>
  </xsl:choose>
</xsl:template>

<xsl:template name="page">
  <xsl:param name="kind"/>
  <xsl:param name="title"/>
  <xsl:param name="description"/>
  <xsl:param name="language"/>
  <xsl:param name="home"/>
  <xsl:param name="self"/>
  <html lang="{$language}">
  <head>
    <meta name="viewport" content="width=device-width, initial-scale=1"/>
    <meta name="robots" content="noindex"/>
    <title><xsl:value-of select="$title"/> (<xsl:value-of select="$kind"/> feed)</title>
    <style>
      :root { --bg: #fbfaf7; --fg: #1b1b1d; --muted: #56565e; --rule: #dcd8cf; --link: #0b4f9c; --card: #f2efe8;
              --accent: #9c1c1c; --focus: #1d5fd1; color-scheme: light dark; }
      @media (prefers-color-scheme: dark) {
        :root { --bg: #121214; --fg: #ececef; --muted: #a9a9b3; --rule: #34343b; --link: #8cc4ff; --card: #1d1d22;
                --accent: #ff8a80; --focus: #ffbf47; }
      }
      body { margin: 0; background: var(--bg); color: var(--fg); font: 1.0625rem/1.6 Charter, "Bitstream Charter",
             "Sitka Text", Cambria, "Noto Serif", "DejaVu Serif", Georgia, serif; }
      main { max-width: 44rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
      a { color: var(--link); }
      :focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
      .eyebrow, .about, .item-meta, .home { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans",
             Arial, sans-serif; }
      .eyebrow { font-size: .8rem; font-weight: 700; text-transform: uppercase; letter-spacing: .09em; color: var(--accent); margin: 0; }
      h1 { font-size: clamp(1.7rem, 4.5vw, 2.4rem); line-height: 1.15; margin: .25rem 0 .5rem; }
      .about { background: var(--card); border-left: 4px solid var(--accent); padding: .75rem 1.25rem; margin: 1.25rem 0 2rem; font-size: .95rem; }
      .about p { margin: .4rem 0; max-width: 68ch; }
      .address { display: block; overflow-wrap: anywhere; font: .95rem/1.4 ui-monospace, "DejaVu Sans Mono", monospace;
                 background: var(--bg); border: 1px solid var(--rule); padding: .4rem .6rem; margin: .3rem 0; }
      .visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
      h3 { font-size: 1.2rem; line-height: 1.3; margin: 0 0 .25rem; }
      ol { list-style: none; padding: 0; margin: 0; }
      li { border-top: 1px solid var(--rule); padding: 1rem 0; }
      .item-meta { color: var(--muted); font-size: .875rem; margin: 0 0 .35rem; }
      .summary { margin: 0; max-width: 68ch; }
    </style>
  </head>
  <body>
  <main>
    <p class="eyebrow"><xsl:value-of select="$kind"/> feed</p>
    <h1><xsl:value-of select="$title"/></h1>
    <p><xsl:value-of select="$description"/></p>
    <section class="about" aria-label="About this feed">
      <p><strong>This is a web feed.</strong> A feed reader (such as NetNewsWire, Feedly, Inoreader or
        Thunderbird) checks it for you and shows each new story as it is published: no account here, no e-mail.</p>
      <p>To follow this digest, copy this address into your feed reader:</p>
      <code class="address"><xsl:value-of select="$self"/></code>
      <p class="home"><a href="{$home}">Read the digest on its website</a></p>
    </section>
    <h2 class="visually-hidden">Newest items</h2>
    <ol>
      <xsl:apply-templates select="rss/channel/item | atom:feed/atom:entry"/>
    </ol>
  </main>
  </body>
  </html>
</xsl:template>

<xsl:template match="item">
  <li>
    <h3><a href="{link}"><xsl:value-of select="title"/></a></h3>
    <p class="item-meta"><xsl:value-of select="substring(pubDate, 1, 16)"/></p>
    <!-- An item without a summary has its body's HTML as its description (and no content:encoded): not shown. -->
    <xsl:if test="description and content:encoded">
      <p class="summary"><xsl:call-template name="excerpt"><xsl:with-param name="text" select="description"/></xsl:call-template></p>
    </xsl:if>
  </li>
</xsl:template>

<xsl:template match="atom:entry">
  <li>
    <h3><a href="{atom:link[not(@rel) or @rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h3>
    <p class="item-meta"><xsl:value-of select="substring(atom:updated, 1, 10)"/></p>
    <xsl:if test="atom:summary">
      <p class="summary"><xsl:call-template name="excerpt"><xsl:with-param name="text" select="atom:summary"/></xsl:call-template></p>
    </xsl:if>
  </li>
</xsl:template>

<!-- A summary's first 600 characters: unescape calls itself once an '&', and a browser stops at a depth of
     about 900 (a summary of a thousand '&' left the whole page blank). -->
<xsl:template name="excerpt">
  <xsl:param name="text"/>
  <xsl:call-template name="unescape"><xsl:with-param name="text" select="substring($text, 1, 600)"/></xsl:call-template>
  <xsl:if test="string-length($text) &gt; 600">&#8230;</xsl:if>
</xsl:template>

<!-- Summaries are HTML-escaped plain text (feed readers render them as HTML): shown as the text. -->
<xsl:template name="unescape">
  <xsl:param name="text"/>
  <xsl:choose>
    <xsl:when test="contains($text, '&amp;')">
      <xsl:value-of select="substring-before($text, '&amp;')"/>
      <xsl:variable name="rest" select="substring-after($text, '&amp;')"/>
      <xsl:choose>
        <xsl:when test="starts-with($rest, 'amp;')">&amp;<xsl:call-template name="unescape"><xsl:with-param name="text" select="substring-after($rest, ';')"/></xsl:call-template></xsl:when>
        <xsl:when test="starts-with($rest, 'lt;')">&lt;<xsl:call-template name="unescape"><xsl:with-param name="text" select="substring-after($rest, ';')"/></xsl:call-template></xsl:when>
        <xsl:when test="starts-with($rest, 'gt;')">&gt;<xsl:call-template name="unescape"><xsl:with-param name="text" select="substring-after($rest, ';')"/></xsl:call-template></xsl:when>
        <xsl:when test="starts-with($rest, 'quot;')">"<xsl:call-template name="unescape"><xsl:with-param name="text" select="substring-after($rest, ';')"/></xsl:call-template></xsl:when>
        <xsl:when test="starts-with($rest, '#x27;')">'<xsl:call-template name="unescape"><xsl:with-param name="text" select="substring-after($rest, ';')"/></xsl:call-template></xsl:when>
        <xsl:otherwise>&amp;<xsl:call-template name="unescape"><xsl:with-param name="text" select="$rest"/></xsl:call-template></xsl:otherwise>
      </xsl:choose>
    </xsl:when>
    <xsl:otherwise><xsl:value-of select="$text"/></xsl:otherwise>
  </xsl:choose>
</xsl:template>

</xsl:stylesheet>
