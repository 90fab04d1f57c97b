"""Ready-made RSA keys for the fake user pools of ``cognito_jwt.TokenIssuer`` (test keys, public on purpose).

Generating a 2048-bit RSA key costs about 100 ms (and more on a busy machine); a suite whose template has a
JWT or Cognito authorizer paid it once per issuer URL in its first test. The first issuers of a process take
these keys instead, in the order they first ask (so two issuers never share a key); later ones generate their
own. Each entry is the key's two primes; the public exponent is 65537. They sign tokens for the emulated
user pools only: nothing outside a test trusts them.
"""

from __future__ import annotations

__all__ = ["PUBLIC_EXPONENT", "READY_PRIMES"]

PUBLIC_EXPONENT = 65537

READY_PRIMES: tuple[tuple[int, int], ...] = (
    (  # key 1
        int(
            "d03a185f73eacab8eb56952a3e458d2c3a5c7710a2d48b23b2277e72f87fbe57032f5118babe53eb7c76140b16b8986a"
            "356d9a26af172d9b514d089b65a454046af5bf391fb933371aaec65651a1674e61f195ca926f6f17cafe9af2f83483dc"
            "e4a9e0eb753cad9ad6f9c87052b8941e09e97b425a9a10a9f0f39ec7d2d247a3",
            16,
        ),
        int(
            "b511da7c042eaa78fc9948b1f767435dd47cde98877dd7dd819360a3736803e5b1e6be357ac45903e067cbe3bea6914b"
            "1b65abd4712e74cacf1d8ed6edb40f79c9d54182a9524dfe57e349031d50e43e58ccc20c6f127d7984d4e3cc52a38f47"
            "a84ce0c20ddbeb83e0a5af4f55098f01f69b85eedd80bcadbee815b9245b8c4b",
            16,
        ),
    ),
    (  # key 2
        int(
            "ee9a451be16009e640840435956ca95ee283791c642c70f36a46e12db2b64a704833f8aafdd990bcb8292857355246fa"
            "aa4352f454acfdea06c408225558c4663348f87d3d4db6d5a9ca638d92cc35f43a72c1d9e696b6d15c5278513e52965a"
            "0d1dc1868f32643c0ce10a1bed6fff91df0d05e4a50b87724dfb5b54668a0721",
            16,
        ),
        int(
            "e1985a2c55370f7605e78c6ddc6b80f4b666bfcb81e2aafebcc68257624ab65e9c3adedad973a9146f46164b4c231706"
            "ab1a168263c610973b0cc36513aa231897291f8cf67157a99fe59c345309db23cd9d122f947beab89595a1d3bc6f33ac"
            "0c2ac6df4cbcf9a4dc6e4c15cea0a9116c5de5a342c284ee6af60b1e8f7f2de1",
            16,
        ),
    ),
    (  # key 3
        int(
            "fb0f2e2ed318cecc3c62467fbf92b7054d96e450c148391207d4768db491f867c5820891e47ed2a32a875e9d72d8e6b7"
            "2c668d9ee2b282fbc7abe1c55e3f05da5494f52dea13ad14e5fba5662262c68f8e246d8439d649137da2326b27a411df"
            "f7e7504c74c02359c56d07adafe054e91df0f405a3a11e6beba0835ac2eee855",
            16,
        ),
        int(
            "d6a76ad301ace20e333b641035112de2768c67093c45a254f520c6420ee176cb7c65c7a33e9ee33ae46b3da754e9c650"
            "d6027b5f74390aa345c8ab64a7176a7ebd4eed8f5dd57c167ae5d5e565c3d23268744229f888965a6d9a65bd50b3aa2a"
            "cb351ffe805d5b93e45cd4f5b6378331221e89366ea983fb6fe249a0a4db6e93",
            16,
        ),
    ),
    (  # key 4
        int(
            "f7e7e257d07d6ae5990581bd0d2ae313cab37894f3ccab846f183a2a6d5c451691da5a095dafe54bc769d0c019267f10"
            "abd34a9d449c9802f854edeb2325bad8f2f969de5f4bd0cfb291d3b79371266a9847381a3395467a469e7b0000416dd1"
            "dde6b6fc842b133157ff5911f59cda105a4ba5f06b279b4e08da736a1f4c3bd5",
            16,
        ),
        int(
            "cfd7f29589ffc62ecdd999466787e4c120d43897d952074747f2c8968a09b5539a9ed0c49a68a3d1c899152c8a9ee513"
            "dfb379421389d9023631c96dfb78be798e5865ecefc96a8a66132ad9711e4743afbc4e77d89352002fc372aab5506a03"
            "a1b223ebd9772fe4e0b82a98d3bf2c44f27661976fc93caf0bfa75a521e0f92f",
            16,
        ),
    ),
    (  # key 5
        int(
            "d151acdf29f6166fef0ee657b3ec692be1e443ae92a9ae20a35dbd202fa5b06724cacfc81fc44e6cf498adde11e95f71"
            "8b15ae877bcf05050f265208eb4c6e1368848e27db275e388bda8df13683c186855b82c3de658c30be95831e2cc7bcc2"
            "d0157ec7a7f789df242e7be91694a49297af1d2102374331823ff2ddd9f391e5",
            16,
        ),
        int(
            "cbd5cda34f8e676e6680896865dc4feaef1e9b010e1f2b04684860924b8c3d6a4d2f214aadf75086d7bfae80f962fb55"
            "13f19696491b7e1b04669cdad93a4af312c501f51f530190fe242d27736a0841679a3374f87501620e167ea5a6958700"
            "980414005baf6f9adfe9bb45d48d3ead7100a23220af1a373c5b362a6e54aea5",
            16,
        ),
    ),
    (  # key 6
        int(
            "c84cd37b1458f0d7b84ee0b207fd7e493edb5e084da0a6ceeb909cce05f5e455fa7d9dbdea96ed1012dabcd2555ae3fc"
            "2add9bc869ff1293198cea2dc762bfafc56103cf8db4a70463512aa123685b243c4de35b533ec2c136acc5f98a8c7495"
            "c46b82d10789d3a51400fe717752b9a4ce559f412a195cb60822193f7302dced",
            16,
        ),
        int(
            "c5cd2feabafdaca51da145f1e9e818f71ef3570034cabd9464cdb5ba4c20d00dfc079c0c94e9b63620c86d7e4e48fc53"
            "db1149ed44f6810134bc578083bd46555df3a141d190c3e180080cb7ba0728e9e0094c6310773983ed2fe40fe27fe923"
            "cd45bc862b8195f6839b15d8310dc60c0582f50db6039079219c541e8403dfaf",
            16,
        ),
    ),
    (  # key 7
        int(
            "ea24d1fa11bf7d098c52096cd621c35d5125996c98cb850698314444a1057077e4d01353e478ef98ad9c3dcd769c4f35"
            "807fb5c0f3d116230e9d69617d202f70bc45243472195e879927c4ca8a16ee86afd57ba5b2e082ffaab94bcc49708ab8"
            "4c110f8eb8e393f1d3583ee121876927d32e37446030c6b153dc248a7fe22879",
            16,
        ),
        int(
            "ba6caf581bafadeef6e38464e9f2732c045dd792e3fbdd928e686fb34194143f1670c08c89561b3005d25779736c9e10"
            "af78937fb0959a608f723e0758c81203b9e08a9e91e313382569bf5f7a7c129ef5ac8e7b14e2928f4de44aee5cfaf03b"
            "7bf743433c6507254ffeed62ae0686bab9f59c42f35e4f278db0e39a3b973201",
            16,
        ),
    ),
    (  # key 8
        int(
            "cc62569cb45009e0c3f7aceb865b00bc0fd13649e97a857ea507782f1f52e100b74ea5f72b8ec17abb0e32d473e29838"
            "e89b0e88c4ca9e678581fcbcd4020c2006c22396aa7d9296b24d7145d8fcc7ab05809f4244cd4b2e8d799e9f42edab50"
            "fe37584de1c21f3f0b5de2cb7fe03318045114380416896dacfce530425ab995",
            16,
        ),
        int(
            "c7af378e3add01a1688c89bf79ca43f9436c2dea32d1501a9fd20ecb9d7d179513b7149dadb781d978bcffbc6938d13d"
            "2e78decdd456decd09510855e2b160bcba7b1ab406ad803610fe48814fdd974284028e342a15141cc2e11fbec3183cbd"
            "89d8c39d3695221a9f6411f0335d70d2a3de999bfbce64ae506d46cde1e8bb57",
            16,
        ),
    ),
)
