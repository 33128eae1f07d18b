// A small built-in corpus in the TinyStories style (short stories, simple words), written for c2i, so the cloze task needs no fetched text.

/** Stories separated by blank lines; sentences end in ".", "!" or "?". */
export const BUILTIN_STORIES = `Once upon a time, there was a little girl named Lily. She loved to play in the garden with her red ball. One day, the ball rolled under a big bush. Lily looked and looked, but she could not find it. Her brother Tom came to help her. Tom found the ball and gave it back to his happy sister.

Ben had a small brown dog named Max. Max liked to run in the park every morning. One day, Max saw a squirrel and chased it up a tree. The squirrel sat on a branch and laughed at the dog. Ben called Max, and the dog ran back home. They ate lunch together and took a long nap.

Mia wanted to bake a cake for her mom. She put flour, sugar and eggs in a big bowl. Her dad helped her turn on the oven. The kitchen smelled sweet and warm. When the cake was ready, Mia put pink frosting on top. Her mom smiled and gave Mia a big hug.

There was a tiny bird who lived in a tall tree. The bird liked to sing every morning when the sun came up. One day, a strong wind blew the nest to the ground. The bird was very sad and began to cry. A kind boy picked up the nest and put it back in the tree. The bird sang a happy song for the boy.

Sam found a shiny rock near the river. He put the rock in his pocket and ran home. He showed the rock to his grandma. Grandma said it was a very special stone. Sam kept the stone in a small box under his bed. Every night, he looked at it before he went to sleep.

Anna and her friend Zoe built a castle in the sand. They used a blue bucket and a yellow shovel. A big wave came and washed the castle away. The girls were sad for a moment. Then they laughed and built an even bigger castle. At the end of the day, they walked home with sandy feet.

Timmy had a red kite with a long tail. He took the kite to the hill on a windy day. The kite flew high up in the sky. Timmy held the string very tight. Suddenly, the string broke and the kite flew away. Timmy was sad, but his dad bought him a new kite the next day.

A little cat named Luna loved milk. Every morning, she waited by her bowl in the kitchen. One day, the bowl was empty and Luna was hungry. She meowed loudly until the girl woke up. The girl poured warm milk into the bowl. Luna drank it all and purred with joy.

Jack wanted to climb the big tree in his yard. His mom told him to be careful. Jack climbed slowly from branch to branch. At the top, he could see the whole town. He waved to his mom from the high branch. Then he climbed down and ran inside for a cookie.

Sue had a garden full of flowers. She watered the flowers every day with a green can. One morning, she saw a bee on a yellow flower. The bee was busy making honey. Sue did not touch the bee because she knew it was working. She smiled and let the bee fly away.

There was a big bear who lived in the forest. The bear loved to eat sweet berries. One day, he could not find any berries at all. He walked and walked until he was very tired. A friendly rabbit showed him a bush full of berries. The bear said thank you and shared the berries with the rabbit.

Lucy got a new doll for her birthday. The doll had long hair and a pretty dress. Lucy took the doll everywhere she went. One day, she left the doll at the park. She cried all the way home. Her mom went back to the park and found the doll on a bench.

Billy liked to play with his toy car. He made the car go fast across the floor. The car hit the wall and a wheel fell off. Billy was sad and showed the car to his dad. His dad fixed the wheel with some glue. Billy said thank you and played with the car again.

Ella saw a puddle after the rain. She put on her boots and jumped in the puddle. Water splashed all over her coat. Her mom saw the mess and began to laugh. They both jumped in the puddle together. Then they went home to dry their wet clothes.

A small frog lived in a green pond. The frog liked to sit on a lily pad in the sun. One day, a fish swam by and said hello. The frog and the fish became good friends. They played in the water every day. At night, the frog sang songs to the moon.

Max wanted to be a brave knight. He made a sword out of a long stick. He put a pot on his head like a helmet. He marched around the yard and fought a pretend dragon. His sister clapped and cheered for him. Max bowed and said he had saved the whole kingdom.

Rosie had a box of colorful crayons. She drew a picture of her family on a big paper. She drew her mom, her dad and her baby brother. She also drew their dog and their little house. Rosie gave the picture to her mom. Her mom put it on the fridge for everyone to see.

One snowy day, Ben and Lily made a snowman. They rolled three big balls of snow. They used a carrot for his nose and stones for his eyes. Lily gave the snowman her old hat. Ben gave him a warm scarf. The children danced around their new friend in the cold.

There was a little boat on a calm lake. A boy and his grandpa sat in the boat to catch fish. They waited for a long time in the quiet morning. Suddenly, the line pulled hard and the boy shouted. Grandpa helped him pull up a big fish. They took a picture and let the fish go back into the water.

Kim lost her blue mitten on the way to school. Her hand was cold all day. After school, she looked for the mitten on the road. A nice lady had put it on a fence. Kim put the mitten on her cold hand. She felt warm and happy as she walked home.

Pete the puppy was afraid of the dark. Every night, he hid under the blanket. His friend the owl told him the night was not scary. The owl showed him the bright stars in the sky. Pete looked up and saw the big round moon. From that night on, Pete was not afraid anymore.

Amy wanted to help her dad wash the car. She got a bucket of soapy water and a soft sponge. They washed the car from the roof to the wheels. Amy sprayed the car with the hose and got her dad wet too. They laughed and laughed in the sunny yard. The car was shiny and clean when they were done.

A tiny ant carried a big crumb across the yard. The crumb was heavy, but the ant did not stop. Other ants came to help carry the crumb. Together they brought it to their home under the ground. The queen ant was very proud of them. That night, all the ants had a big feast.

Leo built a tall tower with his blocks. He put one block on top of another until the tower was very high. His baby sister crawled over and touched the tower. The tower fell down with a loud crash. Leo was not angry at his sister. He gave her a block, and they built a new tower together.`;
